//! Where a region's endpoint comes from, in the order of the official SDKs' region provider
//! chain (`RegionProviderChain.get_default_region_provider_chain("CODEARTSREPO")`):
//!
//! 1. the variable `HUAWEICLOUD_SDK_REGION_CODEARTSREPO_<REGION>` ([`region_env_var`]: the
//!    region id upper-cased, `-` turned into `_`, such as
//!    `HUAWEICLOUD_SDK_REGION_CODEARTSREPO_CN_NORTH_4`), holding one endpoint or several
//!    separated by commas;
//! 2. the regions file: [`REGIONS_FILE_VAR`] (`HUAWEICLOUD_SDK_REGIONS_FILE`) when set, else
//!    `~/.huaweicloud/regions.yaml` when it exists. A YAML map from service names (any case)
//!    to lists of regions, each with an `id` and `endpoint` and/or `endpoints`:
//!
//!    ```yaml
//!    CODEARTSREPO:
//!      - id: cn-north-9
//!        endpoint: https://codehub-ext.cn-north-9.example.com
//!      - id: my-proxy
//!        endpoints: [https://proxy-a.example.com, https://proxy-b.example.com]
//!    ```
//!
//!    An entry without `id` or without any endpoint is skipped; when both are given the
//!    official Python SDK lists `endpoints` first, then `endpoint`. A file that exists but
//!    cannot be read or parsed fails [`ClientBuilder::build`](crate::ClientBuilder::build),
//!    naming the file;
//! 3. the built-in table [`REGION_ENDPOINTS`](crate::REGION_ENDPOINTS).
//!
//! Both overrides apply to listed regions too (they replace the table's endpoint) and make
//! unlisted ones usable. An endpoint without a scheme gets `https://`, as in the official
//! SDKs; an `http://` one needs [`ClientBuilder::allow_http`](crate::ClientBuilder::allow_http).
//! As the official SDKs, the client sends to the first endpoint of a region and, when a
//! request cannot connect to the current one, moves to the next for that request (sent again
//! at once, outside the retry budget) and every later one; past the last it starts again at
//! the first and the failure goes to the usual retries.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Prefix of the variables that override a region's endpoints (as for the official SDKs).
pub const REGION_ENV_PREFIX: &str = "HUAWEICLOUD_SDK_REGION";
/// The service's name in region variables and the regions file (as for the official SDKs).
pub const SERVICE_NAME: &str = "CODEARTSREPO";
/// Variable naming the regions file (as for the official SDKs).
pub const REGIONS_FILE_VAR: &str = "HUAWEICLOUD_SDK_REGIONS_FILE";
/// The regions file's place under the home directory.
pub const DEFAULT_REGIONS_FILE: &str = ".huaweicloud/regions.yaml";

/// The variable that overrides `region_id`'s endpoints, such as
/// `HUAWEICLOUD_SDK_REGION_CODEARTSREPO_CN_NORTH_4` for `cn-north-4`.
pub fn region_env_var(region_id: &str) -> String {
    format!(
        "{REGION_ENV_PREFIX}_{SERVICE_NAME}_{}",
        region_id.replace('-', "_").to_uppercase()
    )
}

/// A region's endpoints and where they were found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionEndpoints {
    /// The endpoints in order, each with a scheme; the client starts with the first and
    /// fails over to the next on connection errors.
    pub endpoints: Vec<String>,
    /// Where they came from: a variable's name, a file's path, or `built-in table`.
    pub source: String,
}

/// The endpoints of `region_id`, looked up in the order of the [module docs](self) with
/// the process environment; `Ok(None)` when no source knows the region.
pub fn resolve_region(region_id: &str) -> Result<Option<RegionEndpoints>> {
    resolve_region_with(region_id, &|name| std::env::var(name).ok())
}

/// [`resolve_region`] reading variables (including `HOME`) through `lookup` instead of the
/// process environment.
pub fn resolve_region_with(
    region_id: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<RegionEndpoints>> {
    let var = region_env_var(region_id);
    if let Some(value) = lookup(&var).filter(|v| !v.is_empty()) {
        let endpoints = with_schemes(value.split(',').map(str::to_string));
        if !endpoints.is_empty() {
            return Ok(Some(RegionEndpoints {
                endpoints,
                source: var,
            }));
        }
    }
    if let Some(path) = regions_file(lookup).filter(|p| p.exists())
        && let Some(endpoints) = file_endpoints(&path, region_id)?
    {
        return Ok(Some(RegionEndpoints {
            endpoints,
            source: path.display().to_string(),
        }));
    }
    Ok(crate::REGION_ENDPOINTS
        .iter()
        .find(|(id, _)| *id == region_id)
        .map(|(_, endpoint)| RegionEndpoints {
            endpoints: vec![endpoint.to_string()],
            source: "built-in table".into(),
        }))
}

/// [`REGIONS_FILE_VAR`], else `~/.huaweicloud/regions.yaml`.
fn regions_file(lookup: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(path) = lookup(REGIONS_FILE_VAR).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(path));
    }
    lookup("HOME")
        .or_else(|| lookup("USERPROFILE"))
        .filter(|v| !v.is_empty())
        .map(|home| Path::new(&home).join(DEFAULT_REGIONS_FILE))
}

/// Trims each endpoint, drops empty ones and gives `https://` to those without a scheme.
fn with_schemes(endpoints: impl Iterator<Item = String>) -> Vec<String> {
    endpoints
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .map(|e| {
            if e.starts_with("http://") || e.starts_with("https://") {
                e
            } else {
                format!("https://{e}")
            }
        })
        .collect()
}

/// The endpoints the regions file at `path` gives `region_id` for [`SERVICE_NAME`].
fn file_endpoints(path: &Path, region_id: &str) -> Result<Option<Vec<String>>> {
    let broken = |problem: String| {
        Error::invalid(
            "regions file",
            path.display(),
            format!(
                "a YAML map from service names to lists of `id` with `endpoint` or \
                 `endpoints` ({problem})"
            ),
        )
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| broken(format!("the file cannot be read: {e}")))?;
    let document: serde_norway::Value =
        serde_norway::from_str(&text).map_err(|e| broken(format!("the file is not YAML: {e}")))?;
    let services = match document {
        serde_norway::Value::Mapping(services) => services,
        serde_norway::Value::Null => return Ok(None),
        _ => return Err(broken("the file is not a map".into())),
    };
    let text_of = |value: &serde_norway::Value| value.as_str().map(str::to_string);
    let mut found = None;
    for (service, regions) in &services {
        let is_ours = service
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(SERVICE_NAME));
        if !is_ours {
            continue;
        }
        let Some(regions) = regions.as_sequence() else {
            return Err(broken(format!("`{SERVICE_NAME}` is not a list")));
        };
        for region in regions {
            if region.get("id").and_then(text_of).as_deref() != Some(region_id) {
                continue;
            }
            // As the official Python SDK: `endpoints` first, then `endpoint`; the last entry
            // for an id wins.
            let mut endpoints: Vec<String> = match region.get("endpoints") {
                None | Some(serde_norway::Value::Null) => Vec::new(),
                Some(serde_norway::Value::Sequence(list)) => {
                    list.iter().filter_map(text_of).collect()
                }
                Some(_) => {
                    return Err(broken(format!(
                        "`endpoints` of region `{region_id}` is not a list"
                    )));
                }
            };
            endpoints.extend(region.get("endpoint").and_then(text_of));
            let endpoints = with_schemes(endpoints.into_iter());
            if !endpoints.is_empty() {
                found = Some(endpoints);
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn variable_names_are_mangled_as_the_official_sdks_mangle_them() {
        assert_eq!(
            region_env_var("cn-north-4"),
            "HUAWEICLOUD_SDK_REGION_CODEARTSREPO_CN_NORTH_4"
        );
        assert_eq!(
            region_env_var("ap-southeast-1"),
            "HUAWEICLOUD_SDK_REGION_CODEARTSREPO_AP_SOUTHEAST_1"
        );
    }

    #[test]
    fn the_variable_wins_then_the_file_then_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("regions.yaml");
        std::fs::write(
            &file,
            "codeartsrepo:\n  - id: cn-north-4\n    endpoint: file.example.com\n  \
             - id: mars-1\n    endpoints: [https://a.example.com, 'http://b.example.com']\n    \
             endpoint: https://c.example.com\n  - endpoint: https://no-id.example.com\n\
             OTHER:\n  - id: venus-1\n    endpoint: https://other.example.com\n",
        )
        .unwrap();
        let file_var = file.to_str().unwrap();
        let var = "HUAWEICLOUD_SDK_REGION_CODEARTSREPO_CN_NORTH_4";
        let both = lookup(&[
            (var, "https://env-a.example.com, env-b.example.com"),
            (REGIONS_FILE_VAR, file_var),
        ]);
        assert_eq!(
            resolve_region_with("cn-north-4", &both).unwrap(),
            Some(RegionEndpoints {
                endpoints: vec![
                    "https://env-a.example.com".into(),
                    "https://env-b.example.com".into()
                ],
                source: var.into(),
            })
        );
        let file_only = lookup(&[(REGIONS_FILE_VAR, file_var)]);
        let from_file = resolve_region_with("cn-north-4", &file_only)
            .unwrap()
            .unwrap();
        assert_eq!(from_file.endpoints, ["https://file.example.com"]);
        assert_eq!(from_file.source, file_var);
        assert_eq!(
            resolve_region_with("mars-1", &file_only)
                .unwrap()
                .unwrap()
                .endpoints,
            [
                "https://a.example.com",
                "http://b.example.com",
                "https://c.example.com"
            ]
        );
        // Another service's regions and unknown regions are not ours.
        assert_eq!(resolve_region_with("venus-1", &file_only).unwrap(), None);
        let table = resolve_region_with("cn-south-1", &file_only)
            .unwrap()
            .unwrap();
        assert_eq!(table.source, "built-in table");
        // The default file lives under HOME.
        std::fs::create_dir_all(dir.path().join(".huaweicloud")).unwrap();
        std::fs::copy(&file, dir.path().join(DEFAULT_REGIONS_FILE)).unwrap();
        let home = lookup(&[("HOME", dir.path().to_str().unwrap())]);
        assert_eq!(
            resolve_region_with("mars-1", &home)
                .unwrap()
                .unwrap()
                .endpoints
                .len(),
            3
        );
        // Nothing set: only the table.
        assert_eq!(resolve_region_with("mars-1", &lookup(&[])).unwrap(), None);
    }

    #[test]
    fn a_broken_regions_file_is_an_error_naming_it_and_a_missing_one_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("regions.yaml");
        for text in [
            "CODEARTSREPO: [unclosed",
            "- just\n- a list\n",
            "CODEARTSREPO: {id: x}\n",
        ] {
            std::fs::write(&file, text).unwrap();
            let error =
                resolve_region_with("x", &lookup(&[(REGIONS_FILE_VAR, file.to_str().unwrap())]))
                    .unwrap_err();
            assert!(
                error.to_string().contains(file.to_str().unwrap()),
                "{error}"
            );
        }
        let missing = dir.path().join("absent.yaml");
        assert_eq!(
            resolve_region_with(
                "x",
                &lookup(&[(REGIONS_FILE_VAR, missing.to_str().unwrap())])
            )
            .unwrap(),
            None
        );
    }
}
