package policy

// JSONNode is a read-only view of one value of the positioned JSON tree
// Parse reads a document into. Tools that check a document element by
// element and keep going past what Parse rejects (package analyze's lint,
// which reports each problem as Access Analyzer does) walk it instead of
// reading the JSON a second way. The zero JSONNode is not valid.
type JSONNode struct{ n *jsonNode }

// JSONKind is the JSON type of a node.
type JSONKind uint8

const (
	JSONNull   = JSONKind(jsonNull)
	JSONBool   = JSONKind(jsonBool)
	JSONNumber = JSONKind(jsonNumber)
	JSONString = JSONKind(jsonString)
	JSONArray  = JSONKind(jsonArray)
	JSONObject = JSONKind(jsonObject)
)

// String names the kind with its article ("an object"), for messages.
func (k JSONKind) String() string { return jsonKind(k).String() }

// ReadJSON reads data as exactly one JSON value (what Parse reads before
// applying the policy grammar). The error names the position of the first
// syntax problem.
func ReadJSON(data []byte) (JSONNode, *Error) {
	root, serr := parseJSON(data)
	if serr != nil {
		return JSONNode{}, &Error{Pos: serr.pos, Msg: serr.msg}
	}
	return JSONNode{root}, nil
}

// Kind is the node's JSON type.
func (n JSONNode) Kind() JSONKind { return JSONKind(n.n.kind) }

// Pos is the position of the value's first byte.
func (n JSONNode) Pos() Pos { return n.n.pos }

// End is the byte offset just past the value.
func (n JSONNode) End() int { return n.n.end }

// Text is a string's decoded text, or a number's or boolean's JSON text.
func (n JSONNode) Text() string { return n.n.text }

// Len is the number of elements of an array or members of an object
// (duplicate names kept, in source order).
func (n JSONNode) Len() int {
	if n.n.kind == jsonObject {
		return len(n.n.members)
	}
	return len(n.n.elems)
}

// Elem is an array's i-th element.
func (n JSONNode) Elem(i int) JSONNode { return JSONNode{n.n.elems[i]} }

// Member is an object's i-th member: its name, the position of the name,
// and its value.
func (n JSONNode) Member(i int) (key string, keyPos Pos, val JSONNode) {
	m := &n.n.members[i]
	return m.key, m.keyPos, JSONNode{m.val}
}
