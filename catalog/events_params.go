package catalog

import "bytes"

// s3VersionActions are the S3 actions a request on an object version (a
// versionId request parameter) needs instead of the unversioned one.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
var s3VersionActions = map[string]string{
	"s3:GetObject":           "s3:GetObjectVersion",
	"s3:DeleteObject":        "s3:DeleteObjectVersion",
	"s3:GetObjectAcl":        "s3:GetObjectVersionAcl",
	"s3:PutObjectAcl":        "s3:PutObjectVersionAcl",
	"s3:GetObjectTagging":    "s3:GetObjectVersionTagging",
	"s3:PutObjectTagging":    "s3:PutObjectVersionTagging",
	"s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
	"s3:GetObjectAttributes": "s3:GetObjectVersionAttributes",
}

// EventActionsWithParameters is EventActions refined by the call's request
// parameters (the record's requestParameters JSON), for the calls whose
// action depends on them: an S3 object call with a versionId needs the
// version action (s3:GetObjectVersion for GetObject).
func (c *Catalog) EventActionsWithParameters(eventSource, eventName string, params []byte) ([]string, EventMapping) {
	actions, m := c.EventActions(eventSource, eventName)
	if eventSource != "s3.amazonaws.com" || !bytes.Contains(params, []byte(`"versionId"`)) {
		return actions, m
	}
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = a
		if v, ok := s3VersionActions[a]; ok {
			if ca, ok := c.Action(v); ok {
				out[i] = ca.FullName
			}
		}
	}
	return out, m
}
