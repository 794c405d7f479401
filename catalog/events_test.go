package catalog

import (
	"slices"
	"testing"
)

// TestEventActions checks each documented kind of mapping with a real
// CloudTrail event (most from the shared test data's records).
func TestEventActions(t *testing.T) {
	c := Default()
	tests := []struct {
		rule          string
		source, event string
		want          []string
		kind          EventKind
	}{
		{"derived: prefix + event name", "iam.amazonaws.com", "CreateUser", []string{"iam:CreateUser"}, EventDerived},
		{"derived: canonical spelling from catalog", "s3.amazonaws.com", "GetBucketCors", []string{"s3:GetBucketCORS"}, EventDerived},
		{"S3 ListObjectsV2 is s3:ListBucket", "s3.amazonaws.com", "ListObjectsV2", []string{"s3:ListBucket"}, EventException},
		{"S3 HeadObject is s3:GetObject", "s3.amazonaws.com", "HeadObject", []string{"s3:GetObject"}, EventException},
		{"S3 HeadBucket is s3:ListBucket", "s3.amazonaws.com", "HeadBucket", []string{"s3:ListBucket"}, EventException},
		{"S3 ListBuckets is s3:ListAllMyBuckets", "s3.amazonaws.com", "ListBuckets", []string{"s3:ListAllMyBuckets"}, EventException},
		{"S3 CloudTrail name GetBucketLifecycle", "s3.amazonaws.com", "GetBucketLifecycle", []string{"s3:GetLifecycleConfiguration"}, EventException},
		{"S3 copy needs two actions", "s3.amazonaws.com", "CopyObject", []string{"s3:GetObject", "s3:PutObject"}, EventException},
		{"Lambda version suffix", "lambda.amazonaws.com", "GetFunction20150331v2", []string{"lambda:GetFunction"}, EventDerived},
		{"Lambda version suffix without v", "lambda.amazonaws.com", "ListVersionsByFunction20150331", []string{"lambda:ListVersionsByFunction"}, EventDerived},
		{"Lambda 2018 version suffix", "lambda.amazonaws.com", "ListLayers20181031", []string{"lambda:ListLayers"}, EventDerived},
		{"Lambda UpdateFunctionCode", "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", []string{"lambda:UpdateFunctionCode"}, EventDerived},
		{"Lambda Invoke is InvokeFunction", "lambda.amazonaws.com", "Invoke", []string{"lambda:InvokeFunction"}, EventException},
		{"Lambda Invoke with version suffix", "lambda.amazonaws.com", "Invoke20150331", []string{"lambda:InvokeFunction"}, EventException},
		{"monitoring is cloudwatch", "monitoring.amazonaws.com", "DescribeAlarms", []string{"cloudwatch:DescribeAlarms"}, EventDerived},
		{"email is ses", "email.amazonaws.com", "SendEmail", []string{"ses:SendEmail"}, EventDerived},
		{"tagging is tag", "tagging.amazonaws.com", "GetResources", []string{"tag:GetResources"}, EventDerived},
		{"appregistry is servicecatalog", "servicecatalog-appregistry.amazonaws.com", "ListApplications", []string{"servicecatalog:ListApplications"}, EventDerived},
		{"es stays es", "es.amazonaws.com", "CreateDomain", []string{"es:CreateDomain"}, EventDerived},
		{"GetCallerIdentity needs no permission", "sts.amazonaws.com", "GetCallerIdentity", nil, EventNoPermission},
		{"GetSessionToken needs no permission", "sts.amazonaws.com", "GetSessionToken", nil, EventNoPermission},
		{"KMS ReEncrypt needs two actions", "kms.amazonaws.com", "ReEncrypt", []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}, EventException},
		{"console sign-in is no API call", "signin.amazonaws.com", "ConsoleLogin", nil, EventNotAPICall},
		{"secrets manager deletion step", "secretsmanager.amazonaws.com", "EndSecretVersionDelete", nil, EventNotAPICall},
		{"API Gateway management by method", "apigateway.amazonaws.com", "GetRestApis", []string{"apigateway:GET"}, EventException},
		{"API Gateway update is PATCH", "apigateway.amazonaws.com", "UpdateStage", []string{"apigateway:PATCH"}, EventException},
		{"API Gateway named action wins", "apigateway.amazonaws.com", "GetPortal", []string{"apigateway:GetPortal"}, EventDerived},
		{"unknown event reported", "s3.amazonaws.com", "GetNoSuchThingInternal", []string{"s3:GetNoSuchThingInternal"}, EventUnknown},
		{"S3 console Storage Lens call", "s3.amazonaws.com", "GetStorageLensDashboardDataInternal", []string{"s3:GetStorageLensDashboard"}, EventException},
		{"EC2 shared snapshot service event", "ec2.amazonaws.com", "SharedSnapshotVolumeCreated", nil, EventNotAPICall},
		{"unknown service reported", "nosuch.amazonaws.com", "DoThing", []string{"nosuch:DoThing"}, EventUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, m := c.EventActions(tt.source, tt.event)
			if !slices.Equal(got, tt.want) || m.Kind != tt.kind {
				t.Errorf("EventActions(%q, %q) = %v, %v; want %v, %v", tt.source, tt.event, got, m.Kind, tt.want, tt.kind)
			}
			if m.Kind != EventDerived && m.Note == "" {
				t.Errorf("kind %v without a note", m.Kind)
			}
		})
	}
}

// TestEventExceptionTable checks every row of the exception table: its
// actions exist in the catalog (so a typo or an AWS rename fails here),
// kinds agree with the presence of actions, each row cites a page, the
// derived mapping would have been wrong (else the row is not an
// exception), and no (source, event) appears twice.
func TestEventExceptionTable(t *testing.T) {
	c := Default()
	seen := map[eventKey]bool{}
	for _, r := range eventExceptions {
		name := r.source + "/" + r.event
		t.Run(name, func(t *testing.T) {
			k := eventKey{r.source, r.event}
			if seen[k] {
				t.Fatalf("duplicate row")
			}
			seen[k] = true
			if r.doc == "" || r.note == "" {
				t.Errorf("row without doc or note")
			}
			switch r.kind {
			case EventException:
				if len(r.actions) == 0 {
					t.Errorf("exception without actions")
				}
			case EventNoPermission, EventNotAPICall:
				if len(r.actions) != 0 {
					t.Errorf("kind %v with actions", r.kind)
				}
			default:
				t.Errorf("kind %v in the table", r.kind)
			}
			for _, a := range r.actions {
				got, ok := c.Action(a)
				if !ok {
					t.Errorf("action %s is not in the catalog", a)
				} else if got.FullName != a {
					t.Errorf("action %s spelled differently from the catalog's %s", a, got.FullName)
				}
			}
			got, m := c.EventActions(r.source+".amazonaws.com", r.event)
			if m.Kind != r.kind || !slices.Equal(got, r.actions) {
				t.Errorf("EventActions = %v %v, want the row", got, m.Kind)
			}
			if r.kind == EventException {
				if d, ok := c.Action(r.source + ":" + r.event); ok && len(r.actions) == 1 && d.FullName == r.actions[0] {
					t.Errorf("row is not an exception: derivation gives %s too", d.FullName)
				}
			}
		})
	}
}

// ScopeResources keeps, per action, the ARNs of the resource types it is
// authorised on.
func TestScopeResources(t *testing.T) {
	c := Default()
	obj, bucket := "arn:aws:s3:::b/k", "arn:aws:s3:::b"
	tests := []struct {
		rule, action string
		arns, want   []string
	}{
		{"object action keeps the object", "s3:GetObject", []string{obj, bucket}, []string{obj}},
		{"bucket action keeps the bucket", "s3:ListBucket", []string{obj, bucket}, []string{bucket}},
		{"an action without resource types is on *", "s3:ListAllMyBuckets", []string{bucket}, []string{"*"}},
		{"no ARN of the action's types: *", "s3:GetObject", []string{bucket}, []string{"*"}},
		{"Lambda version ARN for a function action", "lambda:InvokeFunction", []string{"arn:aws:lambda:eu-west-1:111122223333:function:f:3"}, []string{"arn:aws:lambda:eu-west-1:111122223333:function:f:3"}},
		{"unknown action keeps all", "nosuch:Thing", []string{obj}, []string{obj}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := c.ScopeResources(tt.action, tt.arns); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEventActionsWithParameters(t *testing.T) {
	c := Default()
	if got, _ := c.EventActionsWithParameters("s3.amazonaws.com", "GetObject", []byte(`{"bucketName":"b","key":"k","versionId":"v1"}`)); !slices.Equal(got, []string{"s3:GetObjectVersion"}) {
		t.Errorf("versioned GetObject: %v", got)
	}
	if got, _ := c.EventActionsWithParameters("s3.amazonaws.com", "GetObject", []byte(`{"bucketName":"b","key":"k"}`)); !slices.Equal(got, []string{"s3:GetObject"}) {
		t.Errorf("GetObject: %v", got)
	}
}
