//! Assigning evidence instances to counted requirements that compete for them.
//!
//! A group of counted requirements (e.g. "two business as usual enquiries and two complex enquiries",
//! or counts with overlapping filters) must be met by *different* instances. Choosing greedily can fail
//! where an assignment exists (an instance that fits both kinds taken by the first kind), so the group
//! is solved as a maximum flow:
//!
//! ```text
//! source ─need→ demand ─1→ instance ─1→ sink
//! ```
//!
//! A demand *within* another ("three customers, at least one of whom has particular needs") takes its
//! slots out of the parent's need: one slot for a customer with particular needs plus two for any
//! customer. The flow is at most the total need (a handful), so augmenting paths found breadth first
//! are cheap: the cost is O(need × edges).

use std::collections::VecDeque;

/// Assigns values to *different* instances ("three types of challenging customer, from three
/// different interactions"): `holds[k]` lists the values instance `k` shows. Returns a largest
/// assignment as (value, instance) pairs by value, stopping once `enough` values are assigned.
///
/// A bipartite matching by augmenting paths: each value first takes a free instance if it can, then
/// values still unassigned look for an instance whose value can move to another. With `enough`
/// small (a standard asks for a handful), the cost is O(enough × the number of (instance, value)
/// pairs) beyond one pass over them.
pub fn distinct_values(holds: &[&[u32]], enough: u32) -> Vec<(u32, u32)> {
    let mut values: Vec<u32> = holds.iter().flat_map(|h| h.iter().copied()).collect();
    values.sort_unstable();
    values.dedup();
    // Per value (by its rank in `values`), the instances showing it, ascending.
    let mut showing: Vec<Vec<u32>> = vec![Vec::new(); values.len()];
    for (k, held) in holds.iter().enumerate() {
        for value in held.iter() {
            if let Ok(rank) = values.binary_search(value) {
                if showing[rank].last() != Some(&(k as u32)) {
                    showing[rank].push(k as u32);
                }
            }
        }
    }
    let mut owner: Vec<Option<usize>> = vec![None; holds.len()];
    let mut assigned: Vec<Option<u32>> = vec![None; values.len()];
    let mut count = 0u32;
    for rank in 0..values.len() {
        if count >= enough {
            break;
        }
        if let Some(&k) = showing[rank].iter().find(|&&k| owner[k as usize].is_none()) {
            owner[k as usize] = Some(rank);
            assigned[rank] = Some(k);
            count += 1;
        }
    }
    let mut visited = vec![false; holds.len()];
    for rank in 0..values.len() {
        if count >= enough {
            break;
        }
        if assigned[rank].is_some() {
            continue;
        }
        visited.fill(false);
        if augment(rank, &showing, &mut owner, &mut assigned, &mut visited) {
            count += 1;
        }
    }
    assigned
        .iter()
        .enumerate()
        .filter_map(|(rank, k)| k.map(|k| (values[rank], k)))
        .collect()
}

/// Finds an instance for value `rank`, moving other values along an alternating path. Iterative,
/// so that a long path cannot overflow the stack.
fn augment(
    rank: usize,
    showing: &[Vec<u32>],
    owner: &mut [Option<usize>],
    assigned: &mut [Option<u32>],
    visited: &mut [bool],
) -> bool {
    // Each frame: a value and how far through its instances the search has gone.
    let mut stack: Vec<(usize, usize)> = vec![(rank, 0)];
    // The instance each frame's value would take (set when descending).
    let mut taking: Vec<u32> = Vec::new();
    while let Some(&mut (value, ref mut next)) = stack.last_mut() {
        let Some(&k) = showing[value].get(*next) else {
            stack.pop();
            taking.pop();
            continue;
        };
        *next += 1;
        if visited[k as usize] {
            continue;
        }
        visited[k as usize] = true;
        taking.push(k);
        match owner[k as usize] {
            None => {
                // Shift every value on the path to the instance it reached.
                for (&(v, _), &instance) in stack.iter().zip(&taking) {
                    owner[instance as usize] = Some(v);
                    assigned[v] = Some(instance);
                }
                return true;
            }
            Some(other) => stack.push((other, 0)),
        }
    }
    false
}

/// One counted requirement: `need` different instances chosen from `eligible`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demand {
    /// How many instances the requirement needs.
    pub need: u32,
    /// The demand whose set this one is part of ("at least one *of whom* …"); its slots come out of the
    /// parent's need and its instances must also be eligible for the parent (and its ancestors).
    pub within: Option<usize>,
    /// Indexes of the instances that may count for this demand, in ascending order.
    pub eligible: Vec<u32>,
}

/// The best assignment found: as many slots filled as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Slots filled, over all demands.
    pub filled: u32,
    /// Slots the group needs: the sum of the demands' own slots.
    pub needed: u32,
    /// Per demand, the instances filling its own slots (not those of the demands within it), ascending.
    pub picks: Vec<Vec<u32>>,
}

impl Assignment {
    /// Whether every slot of every demand is filled.
    pub fn is_complete(&self) -> bool {
        self.filled == self.needed
    }
}

/// The slots a demand contributes itself: its need less the needs of the demands directly within it.
pub fn own_slots(demands: &[Demand]) -> Vec<u32> {
    let mut inner = vec![0u32; demands.len()];
    for (index, demand) in demands.iter().enumerate() {
        if let Some(parent) = demand.within.filter(|&p| p < demands.len() && p != index) {
            inner[parent] = inner[parent].saturating_add(demand.need);
        }
    }
    demands
        .iter()
        .zip(inner)
        .map(|(demand, inner)| demand.need.saturating_sub(inner))
        .collect()
}

/// Finds an assignment filling as many slots as possible; complete whenever any complete one exists.
pub fn solve(demands: &[Demand]) -> Assignment {
    let slots = own_slots(demands);
    let eligible = effective_eligible(demands);
    let mut network = Network::build(&slots, &eligible);
    let filled = network.max_flow();
    let picks = network.picks(demands.len());
    Assignment {
        filled,
        needed: slots.iter().sum(),
        picks,
    }
}

/// Eligible instances of each demand, narrowed to those its ancestors also accept.
fn effective_eligible(demands: &[Demand]) -> Vec<Vec<u32>> {
    demands
        .iter()
        .enumerate()
        .map(|(index, demand)| {
            let mut set = demand.eligible.clone();
            let mut seen = vec![index];
            let mut parent = demand.within;
            while let Some(p) = parent.filter(|p| *p < demands.len() && !seen.contains(p)) {
                set = intersect(&set, &demands[p].eligible);
                seen.push(p);
                parent = demands[p].within;
            }
            set
        })
        .collect()
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

const SOURCE: usize = 0;
const SINK: usize = 1;

#[derive(Debug, Clone, Copy)]
struct Edge {
    to: usize,
    cap: u32,
}

/// A flow network: edges stored in pairs (an edge and its reverse at `e ^ 1`).
struct Network {
    edges: Vec<Edge>,
    adjacency: Vec<Vec<usize>>,
    /// Per demand, the first edge index of its demand→instance edges and their count.
    demand_edges: Vec<(usize, usize)>,
    /// The instance index of each instance node.
    instance_of_node: Vec<Option<u32>>,
}

impl Network {
    fn build(slots: &[u32], eligible: &[Vec<u32>]) -> Network {
        let mut network = Network {
            edges: Vec::new(),
            adjacency: vec![Vec::new(); 2],
            demand_edges: Vec::with_capacity(slots.len()),
            instance_of_node: vec![None; 2],
        };
        let demand_nodes: Vec<usize> = slots.iter().map(|_| network.add_node()).collect();
        let mut instance_node: Vec<Option<usize>> = Vec::new();
        for (d, &node) in demand_nodes.iter().enumerate() {
            network.add_edge(SOURCE, node, slots[d]);
            let first = network.edges.len();
            for &instance in &eligible[d] {
                let target = network.instance_node(instance, &mut instance_node);
                network.add_edge(node, target, 1);
            }
            network
                .demand_edges
                .push((first, (network.edges.len() - first) / 2));
        }
        network
    }

    fn add_node(&mut self) -> usize {
        self.adjacency.push(Vec::new());
        self.instance_of_node.push(None);
        self.adjacency.len() - 1
    }

    fn add_edge(&mut self, from: usize, to: usize, cap: u32) {
        self.adjacency[from].push(self.edges.len());
        self.edges.push(Edge { to, cap });
        self.adjacency[to].push(self.edges.len());
        self.edges.push(Edge { to: from, cap: 0 });
    }

    /// The node of `instance`, created (with its edge to the sink) the first time it is needed.
    fn instance_node(&mut self, instance: u32, nodes: &mut Vec<Option<usize>>) -> usize {
        let i = instance as usize;
        if nodes.len() <= i {
            nodes.resize(i + 1, None);
        }
        if let Some(node) = nodes[i] {
            return node;
        }
        let node = self.add_node();
        self.instance_of_node[node] = Some(instance);
        self.add_edge(node, SINK, 1);
        nodes[i] = Some(node);
        node
    }

    fn max_flow(&mut self) -> u32 {
        let mut flow = 0;
        let mut via = vec![usize::MAX; self.adjacency.len()];
        let mut queue = VecDeque::new();
        while self.augment(&mut via, &mut queue) {
            flow += 1;
        }
        flow
    }

    /// Pushes one unit along a shortest augmenting path; every path has bottleneck 1 here.
    fn augment(&mut self, via: &mut [usize], queue: &mut VecDeque<usize>) -> bool {
        via.fill(usize::MAX);
        queue.clear();
        queue.push_back(SOURCE);
        while let Some(node) = queue.pop_front() {
            for &e in &self.adjacency[node] {
                let Edge { to, cap } = self.edges[e];
                if cap > 0 && to != SOURCE && via[to] == usize::MAX {
                    via[to] = e;
                    if to == SINK {
                        self.push_back_along(via);
                        return true;
                    }
                    queue.push_back(to);
                }
            }
        }
        false
    }

    fn push_back_along(&mut self, via: &[usize]) {
        let mut node = SINK;
        while node != SOURCE {
            let e = via[node];
            self.edges[e].cap -= 1;
            self.edges[e ^ 1].cap += 1;
            node = self.edges[e ^ 1].to;
        }
    }

    /// Reads the chosen instances off the saturated demand→instance edges.
    fn picks(&self, demands: usize) -> Vec<Vec<u32>> {
        (0..demands)
            .map(|d| {
                let (first, count) = self.demand_edges[d];
                let mut picks: Vec<u32> = (0..count)
                    .map(|k| first + 2 * k)
                    .filter(|&e| self.edges[e].cap == 0)
                    .filter_map(|e| self.instance_of_node[self.edges[e].to])
                    .collect();
                picks.sort_unstable();
                picks
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demand(need: u32, eligible: &[u32]) -> Demand {
        Demand {
            need,
            within: None,
            eligible: eligible.to_vec(),
        }
    }

    #[test]
    fn greedy_order_would_fail_but_the_flow_finds_the_assignment() {
        // Instance 0 fits both demands; instance 1 fits only the first. Taking 0 for the first demand
        // (as a greedy pass in order would) leaves the second demand empty.
        let result = solve(&[demand(1, &[0, 1]), demand(1, &[0])]);
        assert!(result.is_complete());
        assert_eq!(result.picks, vec![vec![1], vec![0]]);
    }

    #[test]
    fn a_demand_within_another_shares_its_slots() {
        // Three customers, at least one with particular needs (only instance 2 has them).
        let demands = [
            demand(3, &[0, 1, 2, 3]),
            Demand {
                need: 1,
                within: Some(0),
                eligible: vec![2, 4],
            },
        ];
        let result = solve(&demands);
        assert_eq!(result.needed, 3);
        assert!(result.is_complete());
        // Instance 4 is not eligible for the parent, so only 2 can fill the inner slot.
        assert_eq!(result.picks[1], vec![2]);
        assert_eq!(result.picks[0].len(), 2);
    }

    fn assigned(holds: &[&[u32]], enough: u32) -> usize {
        let pairs = distinct_values(holds, enough);
        // Every pair is real and no instance is used twice.
        for &(value, k) in &pairs {
            assert!(holds[k as usize].contains(&value));
        }
        let mut used: Vec<u32> = pairs.iter().map(|p| p.1).collect();
        used.sort_unstable();
        used.dedup();
        assert_eq!(used.len(), pairs.len());
        pairs.len()
    }

    #[test]
    fn values_from_different_instances_move_to_make_room() {
        // A{angry, sad}, B{angry}, C{sad, confused}: angry–B, sad–A, confused–C.
        assert_eq!(assigned(&[&[0, 1], &[0], &[1, 2]], 3), 3);
        // A{angry}, B{angry}, C{angry, sad}: only two different interactions' values.
        assert_eq!(assigned(&[&[0], &[0], &[0, 1]], 3), 2);
        // One instance with three values counts for one.
        assert_eq!(assigned(&[&[0, 1, 2]], 3), 1);
        // The greedy first choice (angry takes A) must be undone for sad.
        assert_eq!(assigned(&[&[0, 1], &[0]], 2), 2);
    }

    #[test]
    fn the_assignment_stops_at_enough() {
        assert_eq!(assigned(&[&[0], &[1], &[2], &[3]], 2), 2);
        assert_eq!(assigned(&[], 3), 0);
    }

    #[test]
    fn a_shortage_fills_what_it_can() {
        let result = solve(&[demand(2, &[0]), demand(2, &[0, 1])]);
        assert_eq!((result.filled, result.needed), (2, 4));
        assert!(!result.is_complete());
    }
}
