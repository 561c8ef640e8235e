//! Compiles proto/herald/v1 with protox, so building needs no `protoc` on the machine.

use std::path::PathBuf;

use prost::Message;

const PROTO_ROOT: &str = "../../proto";
const FILES: [&str; 2] = ["herald/v1/event.proto", "herald/v1/delivery.proto"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed={PROTO_ROOT}");
    let descriptors = protox::compile(FILES, [PROTO_ROOT])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    // Embedded by the crate so herald.v1.Event can be decoded and checked without codegen per type.
    std::fs::write(
        out_dir.join("herald_descriptor.bin"),
        descriptors.encode_to_vec(),
    )?;
    prost_build::Config::new().compile_fds(descriptors)?;
    Ok(())
}
