//! The image scanner on an arbitrary byte stream given as the `docker save` archive.
#![no_main]

use dockward_collect::image_fs::scan_image_archive;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = scan_image_archive(data);
});
