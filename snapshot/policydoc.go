package snapshot

import (
	"sync"

	"github.com/iamwhy/iamwhy/policy"
)

// parsedPolicy caches the result of parsing a Document.
type parsedPolicy struct {
	once sync.Once
	p    *policy.Policy
	err  error
}
