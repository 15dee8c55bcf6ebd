//! After resolution errors, the part of the stack resolution found sound: its services' configs
//! still go to their plugins, so that one run reports a dangling reference in one service and a
//! bad port in another, not the first alone. Nothing is written either way.

use std::collections::BTreeSet;

use stackc_diag::{Diagnostics, Span};
use stackc_model::{Service, Stack};

/// The stack without the services an error points into, nor those that reference a service
/// left out (its exports are unknown); `None` when no service is left.
pub(crate) fn sound_part(stack: &Stack, diagnostics: &Diagnostics) -> Option<Stack> {
    let errors: Vec<Span> = diagnostics.iter().filter(|d| d.is_error()).filter_map(|d| d.span).collect();
    let inside =
        |s: &Service| errors.iter().any(|e| e.file == s.span.file && e.start >= s.span.start && e.end <= s.span.end);
    let mut keep: Vec<bool> = stack.services.iter().map(|s| !inside(s)).collect();
    loop {
        let kept: BTreeSet<&str> =
            stack.services.iter().zip(&keep).filter(|(_, k)| **k).map(|(s, _)| s.name.value.as_str()).collect();
        let mut changed = false;
        for (service, keep) in stack.services.iter().zip(keep.iter_mut()) {
            if *keep && service.config.references().iter().any(|r| !kept.contains(r.service.as_str())) {
                *keep = false;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let services: Vec<Service> =
        stack.services.iter().zip(&keep).filter(|(_, k)| **k).map(|(s, _)| s.clone()).collect();
    (!services.is_empty()).then(|| Stack { services, ..stack.clone() })
}
