//! What a byte offset of a document is on, in its outline: the blocks around it, the token
//! under it, and the plugin config it is in.

use std::ops::RangeInclusive;

use crate::lsp::outline::{Entry, Node};

/// Where the cursor is.
pub struct Cursor<'a> {
    /// The nodes whose blocks hold the offset, outermost first.
    pub blocks: Vec<&'a Node>,
    pub on: On<'a>,
}

pub enum On<'a> {
    /// A node's name.
    Name(&'a Node),
    /// A property's key.
    Key(&'a Node, &'a Entry),
    /// An argument or a property's value.
    Value(&'a Node, &'a Entry),
    /// Where a node could start: nothing but blanks before it on its line.
    LineStart,
    /// Anything else: between entries, in a comment, after a node.
    Elsewhere,
}

/// A config node on the way from a service (or `defaults`) block to the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub key: String,
    /// `location "/" { … }`: the argument is a key of a map, and the block its value.
    pub keyed: bool,
}

/// The plugin config the cursor is in: the plugin's name and the config nodes from the
/// service's block down (not including the node the cursor is on).
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigPath {
    pub plugin: String,
    pub steps: Vec<Step>,
}

pub fn locate<'a>(nodes: &'a [Node], text: &str, offset: usize) -> Cursor<'a> {
    let mut blocks = Vec::new();
    let mut level = nodes;
    'descend: loop {
        for node in level {
            if let Some(block) = &node.children
                && (block.inside.start..=block.inside.end).contains(&offset)
            {
                blocks.push(node);
                level = &block.nodes;
                continue 'descend;
            }
            if inclusive(&node.head).contains(&offset) {
                return Cursor { on: on_node(node, offset), blocks };
            }
        }
        break;
    }
    let before = &text[..offset.min(text.len())];
    let line = before.rsplit(['\n', '{', ';']).next().unwrap_or(before);
    let on = if line.chars().all(char::is_whitespace) { On::LineStart } else { On::Elsewhere };
    Cursor { blocks, on }
}

fn on_node(node: &Node, offset: usize) -> On<'_> {
    if inclusive(&node.name.span).contains(&offset) {
        return On::Name(node);
    }
    for entry in &node.entries {
        if let Some(key) = &entry.key
            && inclusive(&key.span).contains(&offset)
        {
            return On::Key(node, entry);
        }
        if inclusive(&entry.value.span).contains(&offset) {
            return On::Value(node, entry);
        }
    }
    On::Elsewhere
}

fn inclusive(range: &std::ops::Range<usize>) -> RangeInclusive<usize> {
    range.start..=range.end
}

/// Properties of `service` that place it rather than configure it.
pub const SERVICE_PROPERTIES: [&str; 2] = ["plugin", "on"];

/// The config `blocks` lead into: the innermost `service` or `defaults` block naming a plugin,
/// and the config nodes below it, looking through `for` and `if` blocks (their contents are
/// config nodes of the block around them).
pub fn config_path(blocks: &[&Node]) -> Option<ConfigPath> {
    let owner = blocks.iter().rposition(|n| n.is("service") || n.is("defaults"))?;
    let plugin = blocks[owner].property("plugin")?.value.text.clone();
    let steps = blocks[owner + 1..]
        .iter()
        .filter(|n| !(n.is("for") || n.is("if")))
        .map(|n| Step { key: n.name.text.clone(), keyed: n.argument().is_some() && n.children.is_some() })
        .collect();
    Some(ConfigPath { plugin, steps })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::outline::read;

    const STACK: &str = "service \"p\" plugin=\"nginx\" {\n    tls {\n        cert\n    }\n    for \"i\" from=1 to=2 {\n        location \"/\" {\n            \n        }\n    }\n    listen 80 \n}\n";

    fn at(marker: &str, nth: usize) -> usize {
        STACK.match_indices(marker).nth(nth).expect("marker").0
    }

    #[test]
    fn names_keys_and_values() {
        let nodes = read(STACK);
        let cursor = locate(&nodes, STACK, at("cert", 0) + 4);
        assert!(matches!(cursor.on, On::Name(n) if n.is("cert")));
        let path = config_path(&cursor.blocks).expect("in a service");
        assert_eq!(path.plugin, "nginx");
        assert_eq!(path.steps, [Step { key: "tls".to_owned(), keyed: false }]);

        let cursor = locate(&nodes, STACK, at("nginx", 0) + 1);
        assert!(matches!(cursor.on, On::Value(_, e) if e.key.as_ref().is_some_and(|k| k.text == "plugin")));
        let cursor = locate(&nodes, STACK, at("plugin", 0));
        assert!(matches!(cursor.on, On::Key(..)));
        assert!(config_path(&cursor.blocks).is_none());
    }

    #[test]
    fn blank_lines_are_where_nodes_start() {
        let nodes = read(STACK);
        let blank = at("            \n", 0) + 12;
        let cursor = locate(&nodes, STACK, blank);
        assert!(matches!(cursor.on, On::LineStart));
        let path = config_path(&cursor.blocks).expect("in a service");
        assert_eq!(path.steps, [Step { key: "location".to_owned(), keyed: true }]);
        // After a node's last entry: not a place for a key.
        let cursor = locate(&nodes, STACK, at("80 ", 0) + 3);
        assert!(matches!(cursor.on, On::Elsewhere));
    }
}
