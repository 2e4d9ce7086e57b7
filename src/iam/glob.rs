//! IAM's wildcards: `*` (any run of characters) and `?` (any one), plus two runs only
//! rcdk writes: `%`, an ARN field (partition, region, account: no `:` or `/`), and `#`,
//! the name part of an ARN it knows that holds neither (a bucket's, a table's).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `?`
    One,
    /// `*` (`fields: true`: may span `:` and `/`), or `%` and `#` (may not).
    Run {
        fields: bool,
    },
}

fn tokens(pattern: &str, fold: bool) -> Vec<Token> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Token::Run { fields: true },
            '#' | '%' => Token::Run { fields: false },
            '?' => Token::One,
            c if fold => Token::Char(c.to_ascii_lowercase()),
            c => Token::Char(c),
        })
        .collect()
}

/// Whether a run may hold `c`.
fn run_holds(fields: bool, c: char) -> bool {
    fields || !matches!(c, '/' | ':')
}

/// Whether some string matches both patterns. Each side may have wildcards: a policy's
/// resource against an ARN format. A common string in which two runs consume the same
/// character can lose that character and still match both, so the search never needs
/// both sides inside a run at once: O(len(a) × len(b)).
pub(crate) fn intersects(a: &str, b: &str, fold: bool) -> bool {
    let (a, b) = (tokens(a, fold), tokens(b, fold));
    let width = b.len() + 1;
    let mut seen = vec![false; (a.len() + 1) * width];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        let cell = i * width + j;
        if seen[cell] {
            continue;
        }
        seen[cell] = true;
        if i == a.len() && j == b.len() {
            return true;
        }
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        // A run may end (match nothing more).
        if let Some(Token::Run { .. }) = x {
            stack.push((i + 1, j));
        }
        if let Some(Token::Run { .. }) = y {
            stack.push((i, j + 1));
        }
        match (x, y) {
            (Some(Token::Char(c)), Some(Token::Char(d))) if c == d => stack.push((i + 1, j + 1)),
            (Some(Token::Char(_) | Token::One), Some(Token::One))
            | (Some(Token::One), Some(Token::Char(_))) => stack.push((i + 1, j + 1)),
            // A run takes the other side's character (any character for `?`, not `/`).
            (Some(Token::Run { fields }), Some(Token::Char(c))) if run_holds(fields, c) => {
                stack.push((i, j + 1));
            }
            (Some(Token::Run { .. }), Some(Token::One)) => stack.push((i, j + 1)),
            (Some(Token::Char(c)), Some(Token::Run { fields })) if run_holds(fields, c) => {
                stack.push((i + 1, j));
            }
            (Some(Token::One), Some(Token::Run { .. })) => stack.push((i + 1, j)),
            _ => {}
        }
    }
    false
}

/// Whether `text` (no wildcards of its own) matches `pattern`.
pub(crate) fn matches(pattern: &str, text: &str, fold: bool) -> bool {
    let literal = text.replace(['*', '?', '#'], "\u{1}");
    intersects(pattern, &literal, fold)
}

/// An ARN format of the catalogue (`arn:${Partition}:s3:::${BucketName}`) as a pattern:
/// the partition, region and account are fields (`%`), any other `${…}` a run that may
/// hold `/` and `:` (object keys, paths and log group names do).
pub(crate) fn arn_format_pattern(format: &str) -> String {
    let mut out = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                let field = matches!(
                    &rest[start + 2..start + end],
                    "Partition" | "Region" | "Account"
                );
                out.push(if field { '%' } else { '*' });
                rest = &rest[start + end + 1..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_intersect_when_one_string_matches_both() {
        let object = arn_format_pattern("arn:${Partition}:s3:::${BucketName}/${ObjectName}");
        let bucket = arn_format_pattern("arn:${Partition}:s3:::${BucketName}");
        assert_eq!(object, "arn:%:s3:::*/*");
        assert!(intersects("arn:aws:s3:::assets/*", &object, false));
        assert!(intersects("arn:aws:s3:::assets", &bucket, false));
        assert!(!intersects("arn:aws:s3:::assets", &object, false));
        // `${BucketName}` may hold a slash, so the bucket format cannot tell an object's
        // ARN from a bucket's…
        assert!(intersects("arn:aws:s3:::assets/key", &bucket, false));
        // …but a name rcdk knows is a bucket's (`#`) cannot be an object.
        assert!(!intersects("arn:%:s3:::#", &object, false));
        assert!(intersects("arn:%:s3:::#", &bucket, false));
        // A field cannot swallow the fields after it.
        assert!(!intersects("arn:%:s3:::#", "arn:%:s3:::x/y", false));
        assert!(intersects("arn:aws:s3:*", "arn:%:s3:::x/y", false));
        assert!(!intersects(
            "arn:aws:dynamodb:*:*:table/orders",
            &object,
            false
        ));
        assert!(intersects("x*y", "x#y", false));
        assert!(intersects("a?c", "abc", false));
        assert!(!intersects("a?c", "ac", false));
        assert!(intersects("*", "", false));
        assert!(!intersects("#", "a/b", false));
    }

    #[test]
    fn action_names_match_without_case() {
        assert!(matches("s3:Get*", "s3:GetObject", true));
        assert!(matches("S3:getobject", "s3:GetObject", true));
        assert!(!matches("s3:Get*", "s3:PutObject", true));
        assert!(!matches("s3:getobject", "s3:GetObject", false));
    }
}
