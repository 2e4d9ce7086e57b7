//! File assets: local files and folders a construct needs at deploy time (Lambda
//! code). Synthesis copies each into the cloud assembly as `asset.<hash>` and lists it
//! in `<stack>.assets.json`, as the AWS CDK does; `rcdk deploy` zips folders and
//! uploads them to the bootstrap bucket before it creates the stack's change set.
//!
//! The hash is of the content (relative paths and bytes), so an unchanged folder keeps
//! its object key and is not uploaded again, and a changed one gets a new key, which is
//! what makes CloudFormation update the function.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{NodeKind, Scope};
use crate::expr::Expr;

/// The bootstrap bucket (`rcdk bootstrap`), by account and region.
pub const ASSET_BUCKET: &str = "rcdk-assets-${AWS::AccountId}-${AWS::Region}";

/// How an asset is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetPackaging {
    /// A folder, zipped at deploy time (entries sorted, fixed timestamps: the same
    /// folder always gives the same zip).
    ZipDirectory,
    /// A file, uploaded as it is (e.g. a prebuilt `.zip`).
    File,
}

/// One file asset of a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAsset {
    /// SHA-256 of the content, hex.
    pub hash: String,
    /// The folder or file, as the construct named it.
    pub source: PathBuf,
    /// A file as it is, or a folder zipped.
    pub packaging: AssetPackaging,
    /// The construct that added it.
    pub construct_path: String,
}

impl FileAsset {
    /// Hashes `path` (a folder or a file).
    pub fn from_path(path: &Path, construct_path: &str) -> Result<FileAsset, String> {
        let meta =
            fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut hasher = Sha256::new();
        let packaging = if meta.is_dir() {
            let files = folder_files(path)?;
            if files.is_empty() {
                return Err(format!(
                    "the folder {} has no files; put the code in it",
                    path.display()
                ));
            }
            for (relative, full) in files {
                let bytes =
                    fs::read(&full).map_err(|e| format!("cannot read {}: {e}", full.display()))?;
                // Length-prefixed fields: no two different trees hash alike.
                hasher.update((relative.len() as u64).to_le_bytes());
                hasher.update(relative.as_bytes());
                hasher.update([u8::from(is_executable(&full))]);
                hasher.update((bytes.len() as u64).to_le_bytes());
                hasher.update(&bytes);
            }
            AssetPackaging::ZipDirectory
        } else {
            let bytes =
                fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            hasher.update(&bytes);
            AssetPackaging::File
        };
        let mut hash = String::with_capacity(64);
        for b in hasher.finalize() {
            let _ = write!(hash, "{b:02x}");
        }
        Ok(FileAsset {
            hash,
            source: path.to_path_buf(),
            packaging,
            construct_path: construct_path.to_owned(),
        })
    }

    /// The file's extension with its dot (`.zip`), empty for folders and bare names.
    fn extension(&self) -> String {
        match self.packaging {
            AssetPackaging::ZipDirectory => String::new(),
            AssetPackaging::File => self
                .source
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_default(),
        }
    }

    /// Its name inside the cloud assembly.
    pub fn staged_name(&self) -> String {
        format!("asset.{}{}", self.hash, self.extension())
    }

    /// Its key in the bucket.
    pub fn object_key(&self) -> String {
        match self.packaging {
            AssetPackaging::ZipDirectory => format!("{}.zip", self.hash),
            AssetPackaging::File => format!("{}{}", self.hash, self.extension()),
        }
    }
}

/// The files below `root` as (relative path with `/`, full path), sorted. Symbolic
/// links to files are followed; links to folders are refused (they may loop or leave
/// the folder).
pub fn folder_files(root: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            let path = entry.path();
            let link = entry
                .file_type()
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                .is_symlink();
            let meta =
                fs::metadata(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if meta.is_dir() {
                if link {
                    return Err(format!(
                        "{} links to a folder; asset folders follow links to files only: copy it in",
                        path.display()
                    ));
                }
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .map_err(|e| e.to_string())?
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((relative, path));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Whether the owner may execute `path` (kept in the zip: bootstrap scripts need it).
pub fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o100 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Where an asset is in the bucket, for the properties that take a bucket and a key.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetLocation {
    /// The bucket (the bootstrap bucket of the account and region).
    pub bucket_name: Expr<String>,
    /// The object's key.
    pub object_key: Expr<String>,
    /// The content hash.
    pub hash: String,
}

impl Scope {
    /// Adds the folder or file at `path` (relative to the app's working directory) as
    /// a file asset of this construct's stack, and says where it will be in the
    /// bootstrap bucket. A path that cannot be read is an error on this construct.
    pub fn add_file_asset(&self, path: impl AsRef<Path>) -> AssetLocation {
        let path = path.as_ref();
        let bucket_name = self.aws().sub(ASSET_BUCKET);
        let asset = match FileAsset::from_path(path, &self.path()) {
            Ok(a) => a,
            Err(message) => {
                self.add_error(format!(
                    "asset {}: {message}; the path is relative to the folder the app runs in (use env!(\"CARGO_MANIFEST_DIR\") to anchor it)",
                    path.display()
                ));
                // Synthesis fails on the error; the location only keeps construction going.
                return AssetLocation {
                    bucket_name,
                    object_key: Expr::from(String::new()),
                    hash: String::new(),
                };
            }
        };
        let location = AssetLocation {
            bucket_name,
            object_key: Expr::from(asset.object_key()),
            hash: asset.hash.clone(),
        };
        let Some(stack) = self.stack() else {
            self.add_error("an asset belongs to a stack; create the construct inside one");
            return location;
        };
        let mut tree = self.tree.borrow_mut();
        if let NodeKind::Stack(data) = &mut tree.node_mut(stack.index).kind
            && !data.assets.iter().any(|a| a.hash == asset.hash)
        {
            data.assets.push(asset);
        }
        location
    }
}
