// The migrations are embedded by `sqlx::migrate!`; a changed or new file must rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
