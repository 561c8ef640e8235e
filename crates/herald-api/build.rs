// The console's files are embedded by `rust-embed`; a changed, new or removed file must
// rebuild the crate (the derive alone sees only the files that existed at the last build).
fn main() {
    println!("cargo:rerun-if-changed=../../console/app");
}
