package trail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3API is the part of the S3 client Read uses; *s3.Client implements it.
type S3API interface {
	s3.ListObjectsV2APIClient
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// ParseS3URI splits s3://bucket/prefix into bucket and prefix.
func ParseS3URI(uri string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3:// URI", uri)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket", uri)
	}
	return bucket, prefix, nil
}

func (l *lister) s3Client(ctx context.Context) (S3API, error) {
	if l.opts.S3Client != nil {
		return l.opts.S3Client, nil
	}
	if l.s3 == nil {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("loading the AWS configuration: %w", err)
		}
		l.s3 = s3.NewFromConfig(cfg)
	}
	return l.s3, nil
}

// listS3 lists every object under the prefix with ListObjectsV2 (keys
// come back in UTF-8 binary order) and queues the JSON ones; digest and
// Insights files are skipped as in local directories.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
func (l *lister) listS3(ctx context.Context, uri string, out chan<- input) {
	bucket, prefix, err := ParseS3URI(uri)
	if err != nil {
		l.fail(uri, err)
		return
	}
	client, err := l.s3Client(ctx)
	if err != nil {
		l.fail(uri, err)
		return
	}
	input := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	pages := s3.NewListObjectsV2Paginator(client, input)
	var inRegion []func(*s3.Options)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx, inRegion...)
		if err != nil {
			if region := redirectRegion(err); region != "" && inRegion == nil {
				// The bucket is in another region than the client's: S3
				// answers 301 with the bucket's region in a header. Start
				// again there.
				inRegion = []func(*s3.Options){func(o *s3.Options) { o.Region = region }}
				pages = s3.NewListObjectsV2Paginator(client, input)
				continue
			}
			if ctx.Err() == nil {
				l.fail(uri, fmt.Errorf("listing: %w", err))
			}
			return
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if strings.HasSuffix(key, "/") {
				continue // folder placeholder
			}
			// An exact object key named by the URI is read whatever its
			// name, as a local file is.
			walked := key != prefix
			p := "s3://" + bucket + "/" + key
			if reason := l.skipReason(key, walked); reason != "" {
				l.stats.skip(reason)
				continue
			}
			l.addTotal(aws.ToInt64(obj.Size))
			select {
			case out <- s3Input(client, bucket, key, p, inRegion):
			case <-ctx.Done():
				return
			}
		}
	}
}

// redirectRegion returns the region of a 301 Moved Permanently answer's
// x-amz-bucket-region header, or "".
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
func redirectRegion(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == 301 {
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}

func s3Input(client S3API, bucket, key, p string, optFns []func(*s3.Options)) input {
	return input{path: p, open: func(ctx context.Context) (io.ReadCloser, error) {
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}, optFns...)
		if err != nil {
			return nil, fmt.Errorf("GetObject: %w", err)
		}
		return out.Body, nil
	}}
}
