package main

import (
	"slices"
	"testing"
)

func TestSplitARNFormats(t *testing.T) {
	got := splitARNFormats("arn:${Partition}:lex:${Region}:${Account}:bot/${BotId}, arn:${Partition}:lex:${Region}:${Account}:bot:${BotName}")
	want := []string{"arn:${Partition}:lex:${Region}:${Account}:bot/${BotId}", "arn:${Partition}:lex:${Region}:${Account}:bot:${BotName}"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q", got)
	}
	if got := splitARNFormats("arn:${Partition}:s3:::${BucketName}"); len(got) != 1 {
		t.Errorf("single format split into %q", got)
	}
}

func TestGlobalKeys(t *testing.T) {
	js := []byte(`export const globalConditionKeys = [
    {
        key: 'aws:PrincipalArn',
        category: 'principal',
        type: 'ARN',
        description: ''
    },
    {
        key: 'aws:SourceIp',
        category: 'network',
        type: 'IPAddress',
        description: ''
    }
];`)
	keys, err := globalKeys(js)
	if err != nil || len(keys) != 2 || keys[1].Name != "aws:SourceIp" || keys[1].Type != "IPAddress" || keys[0].Category != "principal" {
		t.Fatalf("globalKeys = %+v, %v", keys, err)
	}
	// A changed shape (a field added between key and type) must fail the
	// generator rather than drop keys.
	changed := []byte(`[{ key: 'aws:A', category: 'x', type: 'String' }, { key: 'aws:B', label: 'y', category: 'x', type: 'String' }]`)
	if _, err := globalKeys(changed); err == nil {
		t.Error("changed format accepted")
	}
	if _, err := globalKeys(nil); err == nil {
		t.Error("missing file accepted")
	}
}
