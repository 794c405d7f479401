package trail_test

import (
	"context"
	"fmt"

	"github.com/iamwhy/iamwhy/trail"
)

// Read calls back once per record; Workers: 1 keeps input order.
func ExampleRead() {
	opts := trail.Options{Workers: 1, Filter: trail.Filter{DeniedOnly: true}}
	stats, err := trail.Read(context.Background(), []string{"testdata/shapes/records.json"}, opts, func(r *trail.Record) error {
		fmt.Println(r.EventTime, r.ErrorCode, r.PrincipalARN())
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%d records read, %d filtered out\n", stats.Records, stats.Filtered)
	// Output:
	// 2024-01-15T10:02:00Z AccessDenied arn:aws:sts::111122223333:assumed-role/app/s2
	// 3 records read, 2 filtered out
}

func ExampleSummarizeDenials() {
	d, err := trail.SummarizeDenials(context.Background(), []string{"testdata/shapes"}, trail.Options{}, trail.DenialOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range d.Groups {
		fmt.Println(g.Count, g.Principal, g.Action, g.Resource, g.ErrorCodes)
	}
	// Output:
	// 1 arn:aws:iam::111122223333:role/app s3:GetObject arn:aws:s3:::data/k10 [Client.UnauthorizedOperation]
	// 1 arn:aws:iam::111122223333:role/app s3:GetObject arn:aws:s3:::data/k2 [AccessDenied]
	// 1 arn:aws:iam::111122223333:role/app s3:GetObject arn:aws:s3:::data/k5 [AccessDeniedException]
}
