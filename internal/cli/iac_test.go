package cli

import (
	"strings"
	"testing"
)

// A template laid over an environment: access-diff names the access the
// stack adds; without the stack's account over an environment of several
// accounts it refuses to guess (exit 2), since a placeholder account would
// change nothing and report no new access.
func TestAccessDiffTemplate(t *testing.T) {
	t.Setenv("IAMWHY_CACHE_DIR", "off")
	stdout, stderr, code := runCLI(t, "access-diff", "--env", "../../examples/env", "--template", "testdata/iac/deploy-bot.yaml",
		"--account", "111122223333", "--region", "eu-west-1", "-o", "markdown")
	if code != 1 || !strings.Contains(stdout, "arn:aws:iam::111122223333:role/deploy-bot") {
		t.Errorf("exit %d: %s %s", code, stdout, stderr)
	}
	stdout, stderr, code = runCLI(t, "access-diff", "--env", "../../examples/env", "--template", "testdata/iac/deploy-bot.yaml")
	if code != 2 || !strings.Contains(stderr, "several accounts") {
		t.Errorf("exit %d: %s %s", code, stdout, stderr)
	}
}

// who-can and can take templates like every environment command.
func TestWhoCanTemplate(t *testing.T) {
	t.Setenv("IAMWHY_CACHE_DIR", "off")
	stdout, stderr, code := runCLI(t, "who-can", "dynamodb:PutItem", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders-prod",
		"--template", "../../examples/iac/cloudformation/template.yaml", "--parameters", "../../examples/iac/cloudformation/parameters.json",
		"--account", "111122223333", "--region", "eu-west-1")
	if code != 0 || !strings.Contains(stdout, "role/OrdersFunctionRole") {
		t.Errorf("exit %d: %s %s", code, stdout, stderr)
	}
	stdout, stderr, code = runCLI(t, "can", "arn:aws:iam::111122223333:role/reports-prod", "--plan", "../../examples/iac/plan.json",
		"--template", "../../examples/iac/cloudformation/template.yaml", "--parameters", "../../examples/iac/cloudformation/parameters.json",
		"--region", "eu-west-1", "--service", "s3", "--actions", "--resource", "arn:aws:s3:::example-orders-data/exports/prod/x")
	if code != 0 || !strings.Contains(stdout, "PutObject") {
		t.Errorf("exit %d: %s %s", code, stdout, stderr)
	}
}
