//! Built-in plugins ship precompiled: loading them runs no Cranelift.

use stackc::{Limits, Plugins};

#[test]
fn every_builtin_loads_from_precompiled_bytes() {
    let plugins = Plugins::builtin(Limits::default()).expect("built-ins load");
    let names = plugins.names();
    assert!(names.contains(&"nginx"), "{names:?}");
    for (name, loaded) in plugins.iter() {
        assert!(loaded.plugin.precompiled(), "`{name}` was compiled at run time");
        assert_eq!(loaded.origin, "builtin");
        assert_eq!(loaded.plugin.digest().len(), 64, "`{name}` has a sha256 digest");
    }
}
