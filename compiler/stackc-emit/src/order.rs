//! The order services are deployed in.

use stackc_model::Stack;

/// Service indices such that a service comes after the services it references (so an
/// upstream is up before the proxy in front of it). Ties, and cycles, follow stack order.
pub(crate) fn deploy_order(stack: &Stack) -> Vec<usize> {
    let n = stack.services.len();
    let index = stack.service_index();
    let deps: Vec<Vec<usize>> = stack
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut d: Vec<usize> = s
                .config
                .references()
                .iter()
                .filter_map(|r| index.get(r.service.as_str()).copied())
                .filter(|&j| j != i)
                .collect();
            d.sort_unstable();
            d.dedup();
            d
        })
        .collect();
    // Kahn's algorithm; the ready set is ordered by index, so ties follow stack order.
    let mut waiting: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, d) in deps.iter().enumerate() {
        for &j in d {
            dependents[j].push(i);
        }
    }
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        // On a cycle nothing is ready: break it at the first unplaced service.
        let next = match ready.pop_first() {
            Some(i) => i,
            None => (0..n).find(|&i| !placed[i]).expect("an unplaced service exists while order is short"),
        };
        if placed[next] {
            continue;
        }
        placed[next] = true;
        order.push(next);
        for &d in &dependents[next] {
            waiting[d] = waiting[d].saturating_sub(1);
            if waiting[d] == 0 && !placed[d] {
                ready.insert(d);
            }
        }
    }
    order
}
