package snapshot

import "strings"

// DefaultOwnerTag is the tag whose value names a principal's owner when no
// other is given (--owner-tag).
const DefaultOwnerTag = "owner"

// Owner returns the value of the tag key among tags, nil when there is
// none. IAM refuses two tag keys that differ only in case, so the key is
// compared without case.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html#id_tags_rules_creating
func Owner(tags []Tag, key string) *string {
	if key == "" {
		key = DefaultOwnerTag
	}
	for _, t := range tags {
		if strings.EqualFold(t.Key, key) {
			v := t.Value
			return &v
		}
	}
	return nil
}
