//! vCPUs and memory of the EC2 instance types ECS capacity is usually built from, and
//! what of it the ECS agent offers to tasks. Families by the memory per vCPU their
//! letter stands for (c: 2 GiB, m: 4 GiB, r: 8 GiB); burstable t-types by size.

/// vCPUs and MiB of memory of an instance type, when the family is one of the common
/// current ones.
pub fn size_of(instance_type: &str) -> Option<(u32, u32)> {
    let (family, size) = instance_type.split_once('.')?;
    if matches!(family, "t3" | "t3a" | "t4g") {
        let (vcpus, gib) = match size {
            "nano" => (2, 0.5),
            "micro" => (2, 1.0),
            "small" => (2, 2.0),
            "medium" => (2, 4.0),
            "large" => (2, 8.0),
            "xlarge" => (4, 16.0),
            "2xlarge" => (8, 32.0),
            _ => return None,
        };
        return Some((vcpus, (gib * 1024.0) as u32));
    }
    let generation_ok = family.len() >= 2
        && family[1..2].chars().all(|c| c.is_ascii_digit())
        && (5..=8).contains(&family[1..2].parse::<u32>().ok()?);
    let per_vcpu_gib = match family.chars().next()? {
        'c' => 2,
        'm' => 4,
        'r' => 8,
        _ => return None,
    };
    if !generation_ok {
        return None;
    }
    let vcpus = match size {
        "medium" => 1,
        "large" => 2,
        "xlarge" => 4,
        "2xlarge" => 8,
        "4xlarge" => 16,
        "8xlarge" => 32,
        "12xlarge" => 48,
        "16xlarge" => 64,
        "24xlarge" => 96,
        _ => return None,
    };
    Some((vcpus, vcpus * per_vcpu_gib * 1024))
}

/// Memory the agent reserves for itself and the OS (`ECS_RESERVED_MEMORY`, set in the
/// user data).
pub const RESERVED_MEMORY_MIB: u32 = 256;

/// Memory tasks can use on an instance of `memory_mib`: the kernel and OS keep roughly
/// a tenth of it (the agent registers less than installed), then the reserve.
pub fn task_memory_mib(memory_mib: u32) -> u32 {
    (memory_mib / 10 * 9).saturating_sub(RESERVED_MEMORY_MIB)
}

/// Graviton (arm64) families: their letter has a `g` after the generation.
pub fn is_arm(instance_type: &str) -> bool {
    instance_type
        .split_once('.')
        .is_some_and(|(f, _)| f.len() >= 3 && f[2..].starts_with('g'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_architectures() {
        assert_eq!(size_of("m7g.large"), Some((2, 8192)));
        assert_eq!(size_of("c6i.xlarge"), Some((4, 8192)));
        assert_eq!(size_of("r7g.2xlarge"), Some((8, 65536)));
        assert_eq!(size_of("t3.micro"), Some((2, 1024)));
        assert_eq!(size_of("x2iedn.large"), None);
        assert_eq!(size_of("m7g"), None);
        assert!(is_arm("m7g.large") && is_arm("t4g.small") && !is_arm("m6i.large"));
        assert_eq!(task_memory_mib(8192), 7115);
    }
}
