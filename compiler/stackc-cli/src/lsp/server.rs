//! The server loop: document notifications, checks, diagnostics published, requests answered.
//!
//! Everything runs on this one thread (a check renders services in parallel on rayon's).
//! Notifications only record text and mark the stacks they touch; the checks run when no
//! message is waiting, or before a request is answered, so a burst of keystrokes costs one
//! check and an answer always sees the latest text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{Completion, Formatting, GotoDefinition, HoverRequest, Request as _};
use lsp_types::{CompletionResponse, GotoDefinitionResponse, PublishDiagnosticsParams, TextDocumentPositionParams};
use stackc::Plugins;

use crate::lsp::analysis::{Analysis, Model};
use crate::lsp::diagnostics::{self, Published};
use crate::lsp::documents::Documents;
use crate::lsp::line_index::LineIndex;
use crate::lsp::query::Query;
use crate::lsp::{completion, definition, formatting, hover, outline, roots};

pub struct Server {
    connection: Connection,
    plugins: Plugins,
    documents: Documents,
    /// By root stack file.
    analyses: BTreeMap<PathBuf, Analysis>,
    /// Root stack files to check before the next answer.
    stale: BTreeSet<PathBuf>,
    published: Published,
}

/// How the loop ended.
pub enum Ending {
    /// `shutdown`, then `exit`.
    Clean,
    /// `exit` without `shutdown`, or the client went away.
    Abrupt(String),
}

impl Server {
    pub fn new(connection: Connection, plugins: Plugins, cwd: PathBuf) -> Self {
        Server {
            connection,
            plugins,
            documents: Documents::new(cwd),
            analyses: BTreeMap::new(),
            stale: BTreeSet::new(),
            published: Published::default(),
        }
    }

    pub fn run(&mut self) -> Ending {
        loop {
            let message = match self.connection.receiver.try_recv() {
                Ok(message) => message,
                Err(_) => {
                    self.check_stale();
                    match self.connection.receiver.recv() {
                        Ok(message) => message,
                        Err(_) => return Ending::Abrupt("the client closed the connection without `exit`".to_owned()),
                    }
                }
            };
            match message {
                Message::Request(request) => match self.connection.handle_shutdown(&request) {
                    Ok(true) => return Ending::Clean,
                    Ok(false) => {
                        self.check_stale();
                        let response = self.answer(request);
                        self.send(response.into());
                    }
                    Err(error) => return Ending::Abrupt(error.to_string()),
                },
                Message::Notification(notification) if notification.method == "exit" => {
                    return Ending::Abrupt("`exit` without `shutdown`".to_owned());
                }
                Message::Notification(notification) => self.notified(notification),
                Message::Response(_) => {}
            }
        }
    }

    fn notified(&mut self, notification: Notification) {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(params) =
                    notification.extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                    && let Some(path) = self.documents.set(params.text_document.uri, params.text_document.text)
                {
                    self.touched(&path);
                }
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) =
                    notification.extract::<lsp_types::DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
                else {
                    return;
                };
                // Full sync: each change is the whole text; the last one is the document.
                if let Some(change) = params.content_changes.into_iter().last()
                    && let Some(path) = self.documents.set(params.text_document.uri, change.text)
                {
                    self.touched(&path);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(params) =
                    notification.extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                    && let Some(path) = self.documents.close(&params.text_document.uri)
                {
                    self.closed(&path);
                }
            }
            _ => {}
        }
    }

    /// Marks the stacks `path` is part of for checking.
    fn touched(&mut self, path: &Path) {
        let roots = roots::roots_for(path, &self.documents, &self.analyses);
        self.stale.extend(roots);
        let reading = self.analyses.iter().filter(|(_, a)| a.files.contains(path)).map(|(root, _)| root.clone());
        self.stale.extend(reading.collect::<Vec<_>>());
    }

    /// A stack none of whose files is open any more is forgotten, its diagnostics withdrawn;
    /// the others are checked again, with the file as it is on disk.
    fn closed(&mut self, path: &Path) {
        let roots: Vec<PathBuf> =
            self.analyses.iter().filter(|(_, a)| a.files.contains(path)).map(|(root, _)| root.clone()).collect();
        for root in roots {
            let still_open = self.analyses[&root].files.iter().any(|f| self.documents.is_open(f));
            if still_open {
                self.stale.insert(root);
            } else {
                self.analyses.remove(&root);
                self.stale.remove(&root);
                let changed = self.published.replace(&root, BTreeMap::new());
                for file in changed {
                    self.publish(&file);
                }
            }
        }
    }

    fn check_stale(&mut self) {
        for root in std::mem::take(&mut self.stale) {
            let analysis = self.analyses.entry(root.clone()).or_default();
            let checked = analysis.check(&root, &self.documents, &self.plugins);
            let reported = diagnostics::convert(&checked, &root, &self.documents);
            let mut files: BTreeSet<PathBuf> = self.published.replace(&root, reported).into_iter().collect();
            // Open documents hear about every check, clean ones too.
            files.extend(checked.paths.iter().filter(|p| self.documents.is_open(p)).cloned());
            for file in files {
                self.publish(&file);
            }
        }
    }

    fn publish(&self, file: &Path) {
        let Some(uri) = self.documents.uri(file) else { return };
        let params = PublishDiagnosticsParams { uri, diagnostics: self.published.of(file), version: None };
        self.send(Notification::new(PublishDiagnostics::METHOD.to_owned(), params).into());
    }

    fn send(&self, message: Message) {
        // Fails only when the client has gone, which the loop notices on its next receive.
        let _ = self.connection.sender.send(message);
    }

    fn answer(&self, request: Request) -> Response {
        match request.method.as_str() {
            HoverRequest::METHOD => respond::<HoverRequest>(request, |p| {
                self.query(&p.text_document_position_params, hover::hover).flatten()
            }),
            Completion::METHOD => respond::<Completion>(request, |p| {
                let items = self.query(&p.text_document_position, completion::complete).unwrap_or_default();
                Some(CompletionResponse::Array(items))
            }),
            GotoDefinition::METHOD => respond::<GotoDefinition>(request, |p| {
                let location = self.query(&p.text_document_position_params, definition::definition).flatten();
                location.map(GotoDefinitionResponse::Scalar)
            }),
            Formatting::METHOD => respond::<Formatting>(request, |p| {
                let path = self.documents.path_of(&p.text_document.uri)?;
                Some(formatting::edits(&self.documents.get(&path)?.text))
            }),
            method => {
                let message = format!("`{method}` is not implemented");
                Response::new_err(request.id, ErrorCode::MethodNotFound as i32, message)
            }
        }
    }

    /// Runs `ask` on the open document and position `at`; `None` for a document not open.
    fn query<R>(&self, at: &TextDocumentPositionParams, ask: impl FnOnce(&Query<'_>) -> R) -> Option<R> {
        let path = self.documents.path_of(&at.text_document.uri)?;
        let text = &self.documents.get(&path)?.text;
        let nodes = outline::read(text);
        let index = LineIndex::new(text);
        let query = Query {
            path: &path,
            text,
            nodes: &nodes,
            offset: index.offset(at.position),
            index,
            model: self.model_for(&path),
            plugins: &self.plugins,
            documents: &self.documents,
        };
        Some(ask(&query))
    }

    /// The last resolved stack `path` is part of: its own if it is a root, else one that read it.
    fn model_for(&self, path: &Path) -> Option<&Model> {
        let own = self.analyses.get(path).and_then(|a| a.model.as_ref());
        own.or_else(|| self.analyses.values().filter(|a| a.files.contains(path)).find_map(|a| a.model.as_ref()))
    }
}

/// The response to a request of kind `R`, answered by `answer` from its params.
fn respond<R: lsp_types::request::Request>(request: Request, answer: impl FnOnce(R::Params) -> R::Result) -> Response {
    let id = request.id.clone();
    match request.extract::<R::Params>(R::METHOD) {
        Ok((id, params)) => Response::new_ok(id, answer(params)),
        Err(error) => Response::new_err(id, ErrorCode::InvalidParams as i32, format!("{error:?}")),
    }
}
