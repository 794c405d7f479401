package catalog

// eventRule is one exception to "event source prefix + event name".
type eventRule struct {
	source  string // eventSource without ".amazonaws.com"
	event   string // eventName as CloudTrail logs it
	actions []string
	kind    EventKind
	note    string
	doc     string
}

// Documentation the exceptions rest on.
const (
	docS3Permissions = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html"
	docLambdaInvoke  = "https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html"
	docLambdaStream  = "https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html"
	docKMSReEncrypt  = "https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html"
	docKMSEvents     = "https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html"
	docCallerID      = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"
	docSessionToken  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html"
	docSignin        = "https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html"
	docStorageLens   = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage_lens_iam_permissions.html"
	docEC2Events     = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitor-with-cloudtrail.html"
	docSecretsEvents = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html"
)

// s3 builds an S3 exception: the API operation is authorised by a
// differently named action.
func s3(event string, note string, actions ...string) eventRule {
	return eventRule{source: "s3", event: event, actions: actions, kind: EventException, note: note, doc: docS3Permissions}
}

const (
	s3ListNote    = "listing a bucket's objects is authorised by s3:ListBucket"
	s3HeadNote    = "HEAD requests are authorised by the action of the matching GET"
	s3DeleteNote  = "deleting this bucket configuration is authorised by the action that puts it"
	s3ConfigNote  = "the bucket configuration's action is named after the configuration, not the API operation"
	s3CopyNote    = "a copy reads the source object (s3:GetObject) and writes the target (s3:PutObject)"
	s3UploadNote  = "multipart upload steps are authorised by s3:PutObject"
	s3ListCfgNote = "listing these configurations is authorised by the configuration's Get action"
)

// eventExceptions is the table of CloudTrail events whose IAM action is
// not "prefix:EventName". Each entry has a test (events_test.go). Calls
// whose action depends on request parameters (GetObject with a versionId
// needs s3:GetObjectVersion) are mapped to the parameter-free action; the
// caller that has the request parameters refines it.
var eventExceptions = []eventRule{
	// Amazon S3: API operations whose permission has another name.
	s3("ListObjects", s3ListNote, "s3:ListBucket"),
	s3("ListObjectsV2", s3ListNote, "s3:ListBucket"),
	s3("ListObjectVersions", "listing object versions is authorised by s3:ListBucketVersions", "s3:ListBucketVersions"),
	s3("ListMultipartUploads", "authorised by s3:ListBucketMultipartUploads", "s3:ListBucketMultipartUploads"),
	s3("ListParts", "authorised by s3:ListMultipartUploadParts", "s3:ListMultipartUploadParts"),
	s3("ListBuckets", "listing buckets is authorised by s3:ListAllMyBuckets", "s3:ListAllMyBuckets"),
	s3("HeadBucket", s3HeadNote+" (s3:ListBucket)", "s3:ListBucket"),
	s3("HeadObject", s3HeadNote+" (s3:GetObject)", "s3:GetObject"),
	s3("SelectObjectContent", "S3 Select reads the object: s3:GetObject", "s3:GetObject"),
	s3("CopyObject", s3CopyNote, "s3:GetObject", "s3:PutObject"),
	s3("UploadPartCopy", s3CopyNote, "s3:GetObject", "s3:PutObject"),
	s3("CreateMultipartUpload", s3UploadNote, "s3:PutObject"),
	s3("UploadPart", s3UploadNote, "s3:PutObject"),
	s3("CompleteMultipartUpload", s3UploadNote, "s3:PutObject"),
	s3("DeleteObjects", "a multi-object delete is authorised by s3:DeleteObject for each key", "s3:DeleteObject"),
	// CloudTrail logs some bucket configuration calls under older names
	// (GetBucketLifecycle for GetBucketLifecycleConfiguration, ...); both
	// spellings are listed (see
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html).
	s3("GetBucketLifecycle", s3ConfigNote, "s3:GetLifecycleConfiguration"),
	s3("GetBucketLifecycleConfiguration", s3ConfigNote, "s3:GetLifecycleConfiguration"),
	s3("PutBucketLifecycle", s3ConfigNote, "s3:PutLifecycleConfiguration"),
	s3("PutBucketLifecycleConfiguration", s3ConfigNote, "s3:PutLifecycleConfiguration"),
	s3("DeleteBucketLifecycle", s3DeleteNote, "s3:PutLifecycleConfiguration"),
	s3("GetBucketEncryption", s3ConfigNote, "s3:GetEncryptionConfiguration"),
	s3("PutBucketEncryption", s3ConfigNote, "s3:PutEncryptionConfiguration"),
	s3("DeleteBucketEncryption", s3DeleteNote, "s3:PutEncryptionConfiguration"),
	s3("GetBucketReplication", s3ConfigNote, "s3:GetReplicationConfiguration"),
	s3("PutBucketReplication", s3ConfigNote, "s3:PutReplicationConfiguration"),
	s3("DeleteBucketReplication", s3DeleteNote, "s3:PutReplicationConfiguration"),
	s3("DeleteBucketCors", s3DeleteNote, "s3:PutBucketCORS"),
	s3("DeleteBucketTagging", s3DeleteNote, "s3:PutBucketTagging"),
	s3("DeleteBucketOwnershipControls", s3DeleteNote, "s3:PutBucketOwnershipControls"),
	s3("GetBucketNotificationConfiguration", s3ConfigNote, "s3:GetBucketNotification"),
	s3("PutBucketNotificationConfiguration", s3ConfigNote, "s3:PutBucketNotification"),
	s3("GetObjectLockConfiguration", s3ConfigNote, "s3:GetBucketObjectLockConfiguration"),
	s3("PutObjectLockConfiguration", s3ConfigNote, "s3:PutBucketObjectLockConfiguration"),
	s3("GetPublicAccessBlock", s3ConfigNote, "s3:GetBucketPublicAccessBlock"),
	s3("PutPublicAccessBlock", s3ConfigNote, "s3:PutBucketPublicAccessBlock"),
	s3("DeletePublicAccessBlock", s3DeleteNote, "s3:PutBucketPublicAccessBlock"),
	s3("DeleteBucketPublicAccessBlock", s3DeleteNote, "s3:PutBucketPublicAccessBlock"),
	s3("DeleteAccountPublicAccessBlock", s3DeleteNote, "s3:PutAccountPublicAccessBlock"),
	s3("GetBucketAccelerateConfiguration", s3ConfigNote, "s3:GetAccelerateConfiguration"),
	s3("PutBucketAccelerateConfiguration", s3ConfigNote, "s3:PutAccelerateConfiguration"),
	s3("GetBucketAnalyticsConfiguration", s3ConfigNote, "s3:GetAnalyticsConfiguration"),
	s3("PutBucketAnalyticsConfiguration", s3ConfigNote, "s3:PutAnalyticsConfiguration"),
	s3("DeleteBucketAnalyticsConfiguration", s3DeleteNote, "s3:PutAnalyticsConfiguration"),
	s3("ListBucketAnalyticsConfigurations", s3ListCfgNote, "s3:GetAnalyticsConfiguration"),
	s3("GetBucketInventoryConfiguration", s3ConfigNote, "s3:GetInventoryConfiguration"),
	s3("PutBucketInventoryConfiguration", s3ConfigNote, "s3:PutInventoryConfiguration"),
	s3("DeleteBucketInventoryConfiguration", s3DeleteNote, "s3:PutInventoryConfiguration"),
	s3("ListBucketInventoryConfigurations", s3ListCfgNote, "s3:GetInventoryConfiguration"),
	s3("GetBucketMetricsConfiguration", s3ConfigNote, "s3:GetMetricsConfiguration"),
	s3("PutBucketMetricsConfiguration", s3ConfigNote, "s3:PutMetricsConfiguration"),
	s3("DeleteBucketMetricsConfiguration", s3DeleteNote, "s3:PutMetricsConfiguration"),
	s3("ListBucketMetricsConfigurations", s3ListCfgNote, "s3:GetMetricsConfiguration"),
	s3("GetBucketIntelligentTieringConfiguration", s3ConfigNote, "s3:GetIntelligentTieringConfiguration"),
	s3("PutBucketIntelligentTieringConfiguration", s3ConfigNote, "s3:PutIntelligentTieringConfiguration"),
	s3("DeleteBucketIntelligentTieringConfiguration", s3DeleteNote, "s3:PutIntelligentTieringConfiguration"),
	s3("ListBucketIntelligentTieringConfigurations", s3ListCfgNote, "s3:GetIntelligentTieringConfiguration"),
	// The S3 console reads a Storage Lens dashboard's data through an
	// internal call that s3:GetStorageLensDashboard authorises
	// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage_lens_iam_permissions.html).
	{source: "s3", event: "GetStorageLensDashboardDataInternal", actions: []string{"s3:GetStorageLensDashboard"}, kind: EventException,
		note: "the console's Storage Lens dashboard data call is authorised by s3:GetStorageLensDashboard", doc: docStorageLens},

	// AWS Lambda: Invoke is authorised by lambda:InvokeFunction.
	// (Versioned event names such as "GetFunction20150331v2" are handled
	// by the suffix rule in EventActions.)
	{source: "lambda", event: "Invoke", actions: []string{"lambda:InvokeFunction"}, kind: EventException,
		note: "the Invoke operation is authorised by lambda:InvokeFunction", doc: docLambdaInvoke},
	{source: "lambda", event: "InvokeWithResponseStream", actions: []string{"lambda:InvokeFunction"}, kind: EventException,
		note: "response streaming is authorised by lambda:InvokeFunction", doc: docLambdaStream},

	// AWS KMS: one call, two keys, two actions.
	{source: "kms", event: "ReEncrypt", actions: []string{"kms:ReEncryptFrom", "kms:ReEncryptTo"}, kind: EventException,
		note: "needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination key", doc: docKMSReEncrypt},
	// Events AWS KMS logs for what it does itself.
	{source: "kms", event: "RotateKey", kind: EventNotAPICall,
		note: "AWS KMS logs automatic key rotation as RotateKey; no caller", doc: docKMSEvents},
	{source: "kms", event: "DeleteExpiredKeyMaterial", kind: EventNotAPICall,
		note: "AWS KMS deletes expired imported key material itself", doc: docKMSEvents},

	// Amazon EC2 logs, as a service event, the volume it creates in the
	// account a snapshot was shared with; no caller is authorised.
	{source: "ec2", event: "SharedSnapshotVolumeCreated", kind: EventNotAPICall,
		note: "a service event: EC2 records a volume created from a shared snapshot; no caller", doc: docEC2Events},

	// AWS STS calls that no policy controls.
	{source: "sts", event: "GetCallerIdentity", kind: EventNoPermission,
		note: "no permissions are required; an explicit deny of sts:GetCallerIdentity does not stop it", doc: docCallerID},
	{source: "sts", event: "GetSessionToken", kind: EventNoPermission,
		note: "no permissions are required to get a session token; policies cannot control authentication operations", doc: docSessionToken},

	// AWS sign-in events are authentication, not API calls authorised by
	// IAM policies.
	signin("ConsoleLogin"), signin("CheckMfa"), signin("SwitchRole"), signin("ExitRole"), signin("RenewRole"),
	signin("CredentialChallenge"), signin("CredentialVerification"),
	signin("PasswordRecoveryRequested"), signin("PasswordRecoveryCompleted"),

	// AWS Secrets Manager logs deletion, rotation and replication steps it
	// performs itself.
	secrets("StartSecretVersionDelete"), secrets("CancelSecretVersionDelete"), secrets("EndSecretVersionDelete"),
	secrets("RotationStarted"), secrets("RotationSucceeded"), secrets("RotationFailed"), secrets("RotationAbandoned"),
	secrets("ReplicationStarted"), secrets("ReplicationSucceeded"), secrets("ReplicationFailed"),
}

func signin(event string) eventRule {
	return eventRule{source: "signin", event: event, kind: EventNotAPICall,
		note: "a sign-in event: authentication, not an API call that IAM policies authorise", doc: docSignin}
}

func secrets(event string) eventRule {
	return eventRule{source: "secretsmanager", event: event, kind: EventNotAPICall,
		note: "Secrets Manager logs this step of deletion, rotation or replication itself; no caller's permission is checked", doc: docSecretsEvents}
}
