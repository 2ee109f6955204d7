//! With the `bindgen` feature: checks that the committed `src/bindings.rs` is
//! exactly what bindgen makes from kv.h now, so the header and the committed
//! declarations cannot drift apart. `STRATA_SYS_BLESS=1` writes the fresh
//! output over the committed file instead (regenerate-bindings.sh does that).
#![cfg(feature = "bindgen")]

const FRESH: &str = include_str!(concat!(env!("OUT_DIR"), "/bindings.rs"));
const COMMITTED_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/bindings.rs");

#[test]
fn committed_bindings_match_bindgen_output() {
    if std::env::var_os("STRATA_SYS_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(COMMITTED_PATH, FRESH).expect("cannot write src/bindings.rs");
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED_PATH).expect("cannot read src/bindings.rs");
    if committed != FRESH {
        let first_difference = committed
            .lines()
            .zip(FRESH.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(FRESH.lines().count()));
        panic!(
            "src/bindings.rs is stale: it differs from bindgen's output at line {}. Run \
             bindings/rust/regenerate-bindings.sh and commit the result.",
            first_difference + 1
        );
    }
}
