//! The runtime's header names and signing constants live below the generated crate, so
//! they cannot be generated from the spec; this test holds them to it instead: a change
//! of either side without the other fails here.

use codearts_repo_runtime::{headers, signing};
use serde_json::Value;

fn spec() -> Value {
    codearts_repo_tests::spec_document().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn header_names_are_the_specs() {
    let spec = spec();
    let schemes = &spec["components"]["securitySchemes"];
    assert!(
        schemes["IamToken"]["name"]
            .as_str()
            .is_some_and(|name| name.eq_ignore_ascii_case(headers::AUTH_TOKEN)),
        "the IamToken scheme's header is not {}",
        headers::AUTH_TOKEN
    );
    let signing_block = &schemes["AkSkSignature"]["x-signing"];
    assert!(
        signing_block["date-header"]
            .as_str()
            .is_some_and(|name| name.eq_ignore_ascii_case(headers::SDK_DATE)),
        "x-signing's date-header is not {}",
        headers::SDK_DATE
    );
    let description = schemes["AkSkSignature"]["description"]
        .as_str()
        .unwrap_or("");
    for signed in [headers::PROJECT_ID, headers::SECURITY_TOKEN] {
        assert!(
            description.to_ascii_lowercase().contains(signed),
            "the signature's description does not name {signed} among the signed headers"
        );
    }
    // Every documented response header is one the runtime names.
    let mut documented = Vec::new();
    for item in spec["paths"].as_object().expect("paths").values() {
        for operation in item.as_object().expect("path item").values() {
            for response in operation["responses"].as_object().into_iter().flatten() {
                for name in response.1["headers"].as_object().into_iter().flatten() {
                    documented.push(name.0.to_ascii_lowercase());
                }
            }
        }
    }
    assert!(
        !documented.is_empty(),
        "the spec documents no response header"
    );
    for name in documented {
        assert_eq!(
            name,
            headers::TOTAL,
            "a response header the runtime does not name"
        );
    }
}

#[test]
fn signing_constants_are_the_specs() {
    let spec = spec();
    let block = &spec["components"]["securitySchemes"]["AkSkSignature"]["x-signing"];
    assert_eq!(block["algorithm"], signing::ALGORITHM);
    assert_eq!(block["date-format"], signing::DATE_FORMAT);
    assert_eq!(
        block["max-clock-skew-seconds"].as_i64(),
        Some(signing::MAX_CLOCK_SKEW.num_seconds())
    );
}
