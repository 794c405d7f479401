package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/snapshot/collect"
	"github.com/iamwhy/iamwhy/snapshot/collect/collecttest"
)

// awsTestEnv isolates the SDK from the machine's AWS configuration and gives
// it credentials whose access key names account 111122223333 to the
// recorded responses.
func awsTestEnv(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIA111122223333TEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_REGION": "",
		"AWS_DEFAULT_REGION": "", "AWS_EC2_METADATA_DISABLED": "true", "AWS_CA_BUNDLE": "",
	} {
		t.Setenv(k, v)
	}
}

func TestCollectCommand(t *testing.T) {
	awsTestEnv(t)
	var out, errb bytes.Buffer
	s := Streams{Out: &out, Err: &errb}
	dir := t.TempDir()
	fake := &collecttest.Client{T: t, Dir: "../../snapshot/collect/testdata/aws"}
	err := runCollect(context.Background(), s, collectOptions{
		Out: dir, Regions: []string{"eu-west-1"}, AssumeRoleName: "OrganizationAccountAccessRole", Workers: 2, awsFlags: awsFlags{httpClient: fake},
	})
	// One part could not be read (kms in 444455556666): the environment is
	// written and the status is 1.
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 1 {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(out.String(), "2 account(s), 1 users, 1 groups, 2 roles") || !strings.Contains(out.String(), "with the organisation") {
		t.Errorf("stdout = %q", out.String())
	}
	if !strings.Contains(errb.String(), "not collected (1):") || !strings.Contains(errb.String(), "kms 444455556666 eu-west-1: AccessDeniedException") {
		t.Errorf("stderr = %q", errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "environment.yaml")); err != nil {
		t.Error(err)
	}
}

func TestCollectCommandWithoutRegion(t *testing.T) {
	awsTestEnv(t)
	var out, errb bytes.Buffer
	err := runCollect(context.Background(), Streams{Out: &out, Err: &errb}, collectOptions{Out: t.TempDir(), awsFlags: awsFlags{httpClient: &collecttest.Client{T: t}}})
	if err == nil || !strings.Contains(err.Error(), "no region") {
		t.Fatalf("err = %v", err)
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		t.Errorf("could not run: exit 2, got %d", ee.Code)
	}
}

func TestCollectProgressBar(t *testing.T) {
	var errb bytes.Buffer
	drawProgress(Streams{Err: &errb}, collect.Progress{Done: 3, Total: 4, Task: "111122223333 kms eu-west-1"})
	if got := errb.String(); !strings.Contains(got, "[######################........] 3/4 111122223333 kms eu-west-1") {
		t.Errorf("progress = %q", got)
	}
}

// TestCollectOutput: -o names a directory or an environment file, --out
// is the same flag, and a format name is refused before anything is read.
func TestCollectOutput(t *testing.T) {
	awsTestEnv(t)
	file := filepath.Join(t.TempDir(), "prod.json")
	var out bytes.Buffer
	fake := &collecttest.Client{T: t, Dir: "../../snapshot/collect/testdata/aws"}
	err := runCollect(context.Background(), Streams{Out: &out, Err: &bytes.Buffer{}}, collectOptions{
		Out: file, Regions: []string{"eu-west-1"}, AssumeRoleName: "OrganizationAccountAccessRole", awsFlags: awsFlags{httpClient: fake}})
	if code := exitCode(err); code != 1 || !strings.Contains(out.String(), "wrote "+file) {
		t.Fatalf("exit %d (%v): %s", code, err, out.String())
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(file), "prod", "accounts")); err != nil {
		t.Error(err)
	}
	for _, args := range [][]string{{"collect", "-o", "json"}, {"collect", "--out", "text"}} {
		_, stderr, code := runCLI(t, args...)
		if code != 2 || !strings.Contains(stderr, "collect writes an environment, and -o names where") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}
