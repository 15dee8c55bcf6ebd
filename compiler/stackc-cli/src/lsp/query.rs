//! What a hover, completion or definition request is asked about: the document, the cursor,
//! and what the last check of its stack knows.

use std::path::Path;

use stackc::Plugins;
use stackc_model::{Param, Service};

use crate::lsp::analysis::Model;
use crate::lsp::cursor::{self, Cursor};
use crate::lsp::documents::Documents;
use crate::lsp::line_index::LineIndex;
use crate::lsp::outline::{Entry, Node};
use crate::lsp::schema::Schema;

pub struct Query<'a> {
    /// The document's key.
    pub path: &'a Path,
    pub text: &'a str,
    pub nodes: &'a [Node],
    pub offset: usize,
    pub index: LineIndex<'a>,
    /// The last resolved stack the document is part of, if any.
    pub model: Option<&'a Model>,
    pub plugins: &'a Plugins,
    pub documents: &'a Documents,
}

impl<'a> Query<'a> {
    pub fn cursor(&self) -> Cursor<'a> {
        cursor::locate(self.nodes, self.text, self.offset)
    }

    /// The config schema of plugin `name`: declared by the stack, or built in.
    pub fn schema(&self, name: &str) -> Option<Schema> {
        let declared = self.model.and_then(|m| m.insight.declared_schemas.get(name));
        match declared {
            Some(text) => Schema::parse(text),
            None => Schema::parse(&self.plugins.get(name)?.info().config_schema),
        }
    }

    pub fn service(&self, name: &str) -> Option<(usize, &'a Service)> {
        self.model?.stack.services.iter().enumerate().find(|(_, s)| s.name.value == name)
    }

    /// The `(param)` names in scope at the cursor, innermost first: loop variables of the
    /// `for` blocks around it, the params this document declares (a module's own), then the
    /// stack's.
    pub fn params_in_scope(&self, blocks: &[&'a Node]) -> Vec<ParamSource<'a>> {
        let mut found: Vec<ParamSource<'a>> = Vec::new();
        let loops = blocks.iter().rev().filter(|n| n.is("for")).filter_map(|n| Some((*n, n.argument()?)));
        found.extend(loops.map(|(node, name)| ParamSource::Loop(node, name)));
        let declared = self.nodes.iter().filter(|n| n.is("param")).filter_map(|n| Some((n, n.argument()?)));
        found.extend(declared.map(|(node, name)| ParamSource::Here(node, name)));
        if let Some(model) = self.model {
            found.extend(model.stack.params.iter().map(ParamSource::Stack));
        }
        let mut seen = std::collections::BTreeSet::new();
        found.retain(|p| seen.insert(p.name().to_owned()));
        found
    }
}

/// Where a `(param)` name is declared.
pub enum ParamSource<'a> {
    /// `for "i" …`: a loop variable.
    Loop(&'a Node, &'a Entry),
    /// A `param` node of the document itself.
    Here(&'a Node, &'a Entry),
    /// A param of the resolved stack.
    Stack(&'a Param),
}

impl ParamSource<'_> {
    pub fn name(&self) -> &str {
        match self {
            ParamSource::Loop(_, name) | ParamSource::Here(_, name) => &name.value.text,
            ParamSource::Stack(param) => &param.name.value,
        }
    }
}
