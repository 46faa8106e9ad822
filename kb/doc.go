// Package kb owns the knowledge base: Markdown articles with immutable
// revisions and a draft → review → published → archived workflow, phrasings
// (customer questions an article answers), chunking, embedders (an
// OpenAI-compatible endpoint and a built-in offline one), hybrid search,
// import and export, the editor API and page, and the reports of unanswered
// questions and article use. It holds no conversation state.
package kb
