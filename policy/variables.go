package policy

// VariableOutsideResourcePart reports whether an ARN pattern of a Resource
// or NotResource element puts a policy variable in one of its first five
// fields (partition, service, region, account) instead of the resource
// part, and names that field. AWS documents policy variables in a
// Resource's ARN only "in the part of the ARN that identifies the specific
// resource", so the engine does not guess what such a variable does and
// lint reports it. The escapes ${*}, ${?} and ${$} are literal characters,
// not variables.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
func VariableOutsideResourcePart(arn string) (field string, outside bool) {
	fields := [...]string{"arn", "partition", "service", "region", "account"}
	colons := 0
	for i := 0; i < len(arn) && colons < len(fields); i++ {
		switch arn[i] {
		case ':':
			colons++
		case '$':
			if i+1 >= len(arn) || arn[i+1] != '{' {
				continue
			}
			end := i + 2
			for end < len(arn) && arn[end] != '}' {
				end++
			}
			if end >= len(arn) {
				return "", false // no closing brace: literal text
			}
			switch arn[i+2 : end] {
			case "*", "?", "$":
				i = end
				continue
			}
			return fields[colons], true
		}
	}
	return "", false
}
