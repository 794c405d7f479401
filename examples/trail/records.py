#!/usr/bin/env python3
# Writes cloudtrail.json: a small, hand-written CloudTrail file whose
# requests are those of examples/env (same accounts, principals and
# resources), so that `iamwhy trail diagnose` and `iamwhy diagnose --event`
# replay them against that environment. Run: python3 records.py
import json, uuid

ACCT, DATA = "111122223333", "444455556666"
KEY = f"arn:aws:kms:eu-west-1:{DATA}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OBJ = "arn:aws:s3:::example-data-config/app/settings.json"
TLS = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "x"}

def session(role_path, role, sess, role_id, mfa="false"):
    arn = f"arn:aws:iam::{ACCT}:role/{role_path}{role}"
    return {"type": "AssumedRole", "principalId": f"{role_id}:{sess}",
            "arn": f"arn:aws:sts::{ACCT}:assumed-role/{role}/{sess}", "accountId": ACCT,
            "accessKeyId": "ASIAEXAMPLE000000001",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": role_id, "arn": arn,
                                                 "accountId": ACCT, "userName": role},
                               "attributes": {"creationDate": "2026-11-30T08:55:00Z", "mfaAuthenticated": mfa}}}

CONFIG = session("service-role/", "config-reader", "config-loader", "AROAEXAMPLECONFIG0001")
DEV = session("", "developer", "alice", "AROAEXAMPLEDEVELOPER1", mfa="true")
ORG = session("", "OrganizationAccountAccessRole", "admin", "AROAEXAMPLEORGACCESS1")
ALICE = {"type": "IAMUser", "principalId": "AIDAEXAMPLEALICE00001", "arn": f"arn:aws:iam::{ACCT}:user/alice",
         "accountId": ACCT, "accessKeyId": "AKIAEXAMPLEALICE0001", "userName": "alice"}

n = 0
def rec(who, source, name, region, params, error=None, message=None, resources=None, tls=True, when=None):
    global n
    n += 1
    r = {"eventVersion": "1.09", "userIdentity": who, "eventTime": when or f"2026-11-30T09:{n:02d}:00Z",
         "eventSource": source, "eventName": name, "awsRegion": region,
         "sourceIPAddress": "203.0.113.42", "userAgent": "aws-cli/2.22.0",
         "requestParameters": params, "responseElements": None,
         "requestID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"req{n}")),
         "eventID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"evt{n}")),
         "readOnly": name.startswith(("Get", "List", "Describe", "Head")),
         "eventType": "AwsApiCall", "managementEvent": source != "s3.amazonaws.com",
         "recipientAccountId": who["accountId"], "eventCategory": "Management" if source != "s3.amazonaws.com" else "Data"}
    if error:
        r["errorCode"], r["errorMessage"] = error, message
    if resources:
        r["resources"] = resources
    if tls:
        r["tlsDetails"] = dict(TLS, clientProvidedHostHeader=f"{source.split('.')[0]}.{region}.amazonaws.com")
    return r

s3res = [{"type": "AWS::S3::Object", "ARN": OBJ}, {"accountId": DATA, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::example-data-config"}]
records = [
    # Allowed: what the Lambda function does every day.
    rec(CONFIG, "s3.amazonaws.com", "GetObject", "eu-west-1", {"bucketName": "example-data-config", "key": "app/settings.json"}, resources=s3res),
    rec(CONFIG, "sqs.amazonaws.com", "SendMessage", "eu-west-1", {"queueUrl": f"https://sqs.eu-west-1.amazonaws.com/{ACCT}/config-events"},
        resources=[{"accountId": ACCT, "type": "AWS::SQS::Queue", "ARN": f"arn:aws:sqs:eu-west-1:{ACCT}:config-events"}]),
    # 1. A write the role was never given: neither its policy nor the bucket policy allows it.
    rec(CONFIG, "s3.amazonaws.com", "PutObject", "eu-west-1", {"bucketName": "example-data-config", "key": "app/settings.json"},
        "AccessDenied", f"User: arn:aws:sts::{ACCT}:assumed-role/config-reader/config-loader is not authorized to perform: s3:PutObject on resource: \"{OBJ}\" because no identity-based policy allows the s3:PutObject action", resources=s3res),
    # 2. The same read from a Region the organisation's SCP forbids.
    rec(CONFIG, "s3.amazonaws.com", "GetObject", "ap-southeast-2", {"bucketName": "example-data-config", "key": "app/settings.json"},
        "AccessDenied", f"User: arn:aws:sts::{ACCT}:assumed-role/config-reader/config-loader is not authorized to perform: s3:GetObject on resource: \"{OBJ}\" with an explicit deny in a service control policy", resources=s3res),
    # 3. A direct kms:Decrypt: the key policy allows the role only through S3 (kms:ViaService).
    rec(CONFIG, "kms.amazonaws.com", "Decrypt", "eu-west-1", {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
        "AccessDenied", f"User: arn:aws:sts::{ACCT}:assumed-role/config-reader/config-loader is not authorized to perform: kms:Decrypt on resource: {KEY} because no resource-based policy allows the kms:Decrypt action",
        resources=[{"accountId": DATA, "type": "AWS::KMS::Key", "ARN": KEY}]),
    # 4. The developer's permissions boundary has no IAM actions.
    rec(DEV, "iam.amazonaws.com", "CreateRole", "us-east-1", {"roleName": "new-role", "path": "/app/", "assumeRolePolicyDocument": "{}"},
        "AccessDenied", f"User: arn:aws:sts::{ACCT}:assumed-role/developer/alice is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::{ACCT}:role/app/new-role because no permissions boundary allows the iam:CreateRole action"),
    # 5. alice without MFA: the developer role's trust policy requires it.
    rec(ALICE, "sts.amazonaws.com", "AssumeRole", "us-east-1", {"roleArn": f"arn:aws:iam::{ACCT}:role/developer", "roleSessionName": "alice"},
        "AccessDenied", f"User: arn:aws:iam::{ACCT}:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{ACCT}:role/developer",
        resources=[{"accountId": ACCT, "type": "AWS::IAM::Role", "ARN": f"arn:aws:iam::{ACCT}:role/developer"}]),
    # 6. A function created in a forbidden Region.
    rec(DEV, "lambda.amazonaws.com", "CreateFunction20150331", "ap-southeast-2", {"functionName": "dev-fn"},
        "AccessDeniedException", f"User: arn:aws:sts::{ACCT}:assumed-role/developer/alice is not authorized to perform: lambda:CreateFunction on resource: arn:aws:lambda:ap-southeast-2:{ACCT}:function:dev-fn with an explicit deny in a service control policy"),
    # 7. No account may leave the organisation.
    rec(ORG, "organizations.amazonaws.com", "LeaveOrganization", "us-east-1", None,
        "AccessDeniedException", f"User: arn:aws:sts::{ACCT}:assumed-role/OrganizationAccountAccessRole/admin is not authorized to perform: organizations:LeaveOrganization on resource: * with an explicit deny in a service control policy"),
]
with open("cloudtrail.json", "w") as f:
    json.dump({"Records": records}, f, indent=1)
    f.write("\n")
