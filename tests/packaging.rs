//! The Docker build context (`.dockerignore`) leaves out everything `.gitignore` keeps out of
//! the repository: local tool installs and build output never reach `docker build`.

use std::collections::BTreeSet;

/// The patterns of an ignore file in one spelling: no leading or trailing `/`, and a
/// `.gitignore` pattern without a `/` (which matches at any depth) as `**/pattern`.
fn patterns(file: &str, git: bool) -> BTreeSet<String> {
    let text = std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let anchored = l.starts_with('/');
            let p = l.trim_start_matches('/').trim_end_matches('/');
            if git && !anchored && !p.contains('/') {
                format!("**/{p}")
            } else {
                p.to_string()
            }
        })
        .collect()
}

#[test]
fn the_docker_build_context_leaves_out_what_git_ignores() {
    let docker = patterns(".dockerignore", false);
    let missing: Vec<String> = patterns(".gitignore", true)
        .into_iter()
        .filter(|p| !docker.contains(p))
        .collect();
    assert!(
        missing.is_empty(),
        "missing from .dockerignore: {missing:?}"
    );
}
