//! Files embedded in a statement PDF (ISO 32000 embedded files, with PDF 2.0 / PDF/A-3 `AF`
//! associations): the signed credential travels inside the statement, so the paper's PDF can be
//! checked offline. Readers show them as attachments; `pdfdetach` extracts them.

use lopdf::{Dictionary, Document, LoadOptions, Object, Stream, StringFormat};

use super::PdfError;

/// A file to embed.
#[derive(Clone, Copy, Debug)]
pub struct Attachment<'a> {
    /// The file name shown by readers.
    pub name: &'a str,
    /// Its media type, e.g. `application/vc+jwt`.
    pub media_type: &'a str,
    /// What it is, shown by readers.
    pub description: &'a str,
    /// Its content.
    pub bytes: &'a [u8],
}

/// The largest attachment read back (a credential is a few kilobytes; this bounds a hostile PDF).
const MAX_ATTACHMENT: usize = 4 * 1024 * 1024;

/// Adds `files` to the document's `EmbeddedFiles` name tree and its `AF` array.
pub(crate) fn embed(document: &mut Document, files: &[Attachment<'_>]) -> Result<(), PdfError> {
    if files.is_empty() {
        return Ok(());
    }
    let mut names = Vec::new();
    let mut specs = Vec::new();
    for file in files {
        let mut stream_dict = Dictionary::new();
        stream_dict.set("Type", Object::Name(b"EmbeddedFile".to_vec()));
        stream_dict.set("Subtype", Object::Name(file.media_type.as_bytes().to_vec()));
        let mut params = Dictionary::new();
        params.set("Size", Object::Integer(file.bytes.len() as i64));
        stream_dict.set("Params", params);
        let stream = document.add_object(Stream::new(stream_dict, file.bytes.to_vec()));
        let mut embedded = Dictionary::new();
        embedded.set("F", stream);
        embedded.set("UF", stream);
        let mut spec = Dictionary::new();
        spec.set("Type", Object::Name(b"Filespec".to_vec()));
        spec.set("F", text(file.name));
        spec.set("UF", text(file.name));
        spec.set("Desc", text(file.description));
        spec.set("AFRelationship", Object::Name(b"Data".to_vec()));
        spec.set("EF", embedded);
        let spec = document.add_object(spec);
        names.push(text(file.name));
        names.push(Object::Reference(spec));
        specs.push(Object::Reference(spec));
    }
    let mut tree = Dictionary::new();
    tree.set("Names", names);
    let mut catalog_names = Dictionary::new();
    catalog_names.set("EmbeddedFiles", tree);
    let catalog = document
        .catalog_mut()
        .map_err(|e| PdfError::Write(format!("no document catalog: {e}")))?;
    catalog.set("Names", catalog_names);
    catalog.set("AF", specs);
    // Readers open the attachments panel beside the pages.
    catalog.set("PageMode", Object::Name(b"UseAttachments".to_vec()));
    Ok(())
}

fn text(value: &str) -> Object {
    Object::String(value.as_bytes().to_vec(), StringFormat::Literal)
}

/// Why attachments could not be read.
#[derive(Debug, thiserror::Error)]
#[error("not a readable PDF: {0}")]
pub struct ReadError(String);

/// Every embedded file of a PDF at the top level of its `EmbeddedFiles` name tree, as
/// (name, content), in the order the tree lists them.
pub fn attachments(pdf: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ReadError> {
    let options = LoadOptions {
        max_decompressed_size: Some(64 * 1024 * 1024),
        ..LoadOptions::default()
    };
    let document =
        Document::load_mem_with_options(pdf, options).map_err(|e| ReadError(e.to_string()))?;
    let fail = |what: &str| ReadError(what.to_owned());
    let catalog = document.catalog().map_err(|e| ReadError(e.to_string()))?;
    let Ok(names) = catalog
        .get(b"Names")
        .and_then(|o| document.dereference(o).map(|(_, o)| o))
        .and_then(Object::as_dict)
    else {
        return Ok(Vec::new());
    };
    let Ok(tree) = names
        .get(b"EmbeddedFiles")
        .and_then(|o| document.dereference(o).map(|(_, o)| o))
        .and_then(Object::as_dict)
    else {
        return Ok(Vec::new());
    };
    let list = tree
        .get(b"Names")
        .and_then(|o| document.dereference(o).map(|(_, o)| o))
        .and_then(Object::as_array)
        .map_err(|_| fail("the embedded files list is not an array"))?;
    let mut found = Vec::new();
    for pair in list.chunks(2) {
        let [name, spec] = pair else { continue };
        let name = name
            .as_str()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let stream = document
            .dereference(spec)
            .and_then(|(_, o)| o.as_dict())
            .and_then(|spec| spec.get(b"EF"))
            .and_then(|o| document.dereference(o).map(|(_, o)| o))
            .and_then(Object::as_dict)
            .and_then(|ef| ef.get(b"F"))
            .and_then(|o| document.dereference(o).map(|(_, o)| o))
            .and_then(Object::as_stream)
            .map_err(|_| fail("an embedded file has no content stream"))?;
        let bytes = if stream.dict.get(b"Filter").is_ok() {
            stream
                .decompressed_content_with_limit(MAX_ATTACHMENT)
                .map_err(|e| ReadError(e.to_string()))?
        } else {
            stream.content.clone()
        };
        found.push((name, bytes));
    }
    Ok(found)
}
