package cli

import (
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/replay"
)

// The commands reach the embedded IAM service reference through these
// adapters, so the libraries stay free of it (eval takes an
// eval.Reference, denial its two hooks, diagnose an action lister).

func catalogReference() eval.Reference { return catalog.Default() }

// catalogDenialOptions gives the message parser canonical action spelling
// (sqs:sendmessage -> sqs:SendMessage) and the action an API operation
// needs when a message names only the operation.
func catalogDenialOptions() denial.Options { return replay.DefaultOptions().Denial }
