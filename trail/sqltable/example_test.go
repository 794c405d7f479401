package sqltable_test

import (
	"context"
	"fmt"
	"log"

	"github.com/iamwhy/iamwhy/trail/sqltable"
)

// Records go in as CloudTrail writes them (keys in any case); queries are
// Athena SQL, json_extract_scalar included.
func Example() {
	ctx := context.Background()
	db, err := sqltable.Open(ctx, "") // in memory
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	l, err := db.NewLoader(ctx, sqltable.LoaderOptions{})
	if err != nil {
		log.Fatal(err)
	}
	l.Add([]byte(`{"eventTime":"2024-01-16T09:30:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject",
		"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/dev/alice"},
		"errorCode":"AccessDenied","requestParameters":{"bucketName":"example-bucket","key":"a.txt"}}`))
	if _, err := l.Close(); err != nil {
		log.Fatal(err)
	}

	rows, err := db.Query(ctx, `SELECT eventname, useridentity.arn,
		json_extract_scalar(requestparameters, '$.bucketName') AS bucket
		FROM cloudtrail_logs WHERE errorcode = 'AccessDenied' AND eventtime > '2024-01-15T00:00:00Z'`)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		fmt.Println(rows.Values()...)
	}
	// Output: GetObject arn:aws:sts::111122223333:assumed-role/dev/alice example-bucket
}
