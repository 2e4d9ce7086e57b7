//! Publishing a stack's file assets before its change set: each folder zipped the same
//! way every time, each object uploaded once (its key is its content hash, so an
//! object already in the bucket is the same bytes and is skipped).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use zip::write::SimpleFileOptions;

use super::client::Cfn;
use super::error::DeployError;
use super::progress::Progress;
use super::stack_state::stack_state;
use super::upload::{S3Request, TOOLKIT_STACK, s3_request};
use crate::tree::{AssetPackaging, folder_files, is_executable};

/// One file asset to publish, read from an asset manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetUpload {
    /// The content hash (the object's name).
    pub hash: String,
    /// The staged copy inside the cloud assembly.
    pub source: PathBuf,
    /// A file as it is, or a folder zipped.
    pub packaging: AssetPackaging,
    /// May hold `${AWS::AccountId}`, `${AWS::Region}`, `${AWS::Partition}`.
    pub bucket_name: String,
    /// The key it is uploaded under.
    pub object_key: String,
}

/// The zip of `folder`: entries sorted, every timestamp 1980-01-01, modes 0644 or
/// 0755, so the same files always give the same bytes.
pub fn zip_folder(folder: &Path) -> Result<Vec<u8>, String> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (relative, full) in folder_files(folder)? {
        let bytes =
            std::fs::read(&full).map_err(|e| format!("cannot read {}: {e}", full.display()))?;
        let mode = if is_executable(&full) { 0o755 } else { 0o644 };
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(mode);
        writer
            .start_file(relative.as_str(), options)
            .map_err(|e| format!("cannot zip {relative}: {e}"))?;
        writer
            .write_all(&bytes)
            .map_err(|e| format!("cannot zip {relative}: {e}"))?;
    }
    writer
        .finish()
        .map(std::io::Cursor::into_inner)
        .map_err(|e| format!("cannot finish the zip of {}: {e}", folder.display()))
}

/// The account of this region's bootstrap stack (from its stack id), or the advice to
/// run `rcdk bootstrap`.
async fn bootstrap_account(cfn: &Cfn, stack: &str) -> Result<String, DeployError> {
    let state = stack_state(cfn, TOOLKIT_STACK).await?;
    let bootstrapped = state
        .as_ref()
        .filter(|s| s.outputs.contains_key("AssetBucketVersion"));
    // arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID
    bootstrapped
        .and_then(|s| s.stack_id.split(':').nth(4).map(str::to_owned))
        .ok_or_else(|| DeployError::Refused {
            stack: stack.into(),
            message: format!(
                "the stack has file assets to upload, but {} {}; run `rcdk bootstrap` for the region, then deploy again",
                cfn.region,
                if state.is_some() {
                    "was bootstrapped by an older rcdk without the asset bucket"
                } else {
                    "is not bootstrapped"
                }
            ),
        })
}

/// Uploads the assets of `stack` that the bucket does not have yet.
pub async fn publish_assets(
    cfn: &Cfn,
    stack: &str,
    assets: &[AssetUpload],
    progress: &Progress,
) -> Result<(), DeployError> {
    if assets.is_empty() {
        return Ok(());
    }
    let account = bootstrap_account(cfn, stack).await?;
    let refused = |message: String| DeployError::Refused {
        stack: stack.into(),
        message,
    };
    for asset in assets {
        let bucket = asset
            .bucket_name
            .replace("${AWS::AccountId}", &account)
            .replace("${AWS::Region}", &cfn.region)
            .replace("${AWS::Partition}", "aws");
        if super::upload::object_exists(cfn, stack, &bucket, &asset.object_key).await? {
            progress.line(&format!(
                "{stack}: asset {} already in s3://{bucket}",
                asset.object_key
            ));
            continue;
        }
        let body = match asset.packaging {
            AssetPackaging::ZipDirectory => zip_folder(&asset.source),
            AssetPackaging::File => std::fs::read(&asset.source)
                .map_err(|e| format!("cannot read {}: {e}", asset.source.display())),
        }
        .map_err(|e| refused(format!("asset {}: {e}; synthesize again", asset.hash)))?;
        let size = body.len();
        let (status, answer) = s3_request(
            cfn,
            stack,
            S3Request {
                method: "PUT",
                bucket: &bucket,
                key: &asset.object_key,
                body: Bytes::from(body),
                content_type: "application/zip",
                whole_answer: false,
            },
        )
        .await?;
        if !status.is_success() {
            return Err(refused(format!(
                "uploading asset {} to s3://{bucket} failed: S3 answered {status}: {answer}",
                asset.object_key
            )));
        }
        progress.line(&format!(
            "{stack}: asset {} ({size} bytes) uploaded to s3://{bucket}",
            asset.object_key
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_folder_always_zips_to_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("lib")).unwrap();
        std::fs::write(
            dir.path().join("index.py"),
            "def handler(e, c):\n    return 1\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("lib/util.py"), "X = 1\n").unwrap();
        let first = zip_folder(dir.path()).unwrap();
        // A newer modification time changes nothing.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.path().join("lib/util.py"), "X = 1\n").unwrap();
        assert_eq!(zip_folder(dir.path()).unwrap(), first);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(first)).unwrap();
        let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, ["index.py", "lib/util.py"]);
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("lib/util.py").unwrap(), &mut text)
            .unwrap();
        assert_eq!(text, "X = 1\n");
    }
}
