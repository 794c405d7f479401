package policy

// Options say how a document is parsed.
type Options struct {
	// Type selects the per-type rules (Principal required or forbidden,
	// which elements are allowed). TypeAny checks only the grammar.
	Type Type
	// Source names the document in errors and traces.
	Source string
}
