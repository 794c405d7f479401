package athena_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/iamwhy/iamwhy/trail/athena"
)

// The table for an organisation trail, projected over two accounts and
// one region.
func ExampleCreateTableSQL() {
	ddl, err := athena.CreateTableSQL(athena.TableOptions{
		Bucket:   "org-trail-logs",
		OrgID:    "o-a1b2c3d4e5",
		Accounts: []string{"111122223333", "444455556666"},
		Regions:  []string{"eu-west-1"},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(ddl, "\n") {
		if strings.Contains(line, "LOCATION") || strings.Contains(line, "template") {
			fmt.Println(strings.TrimSpace(line))
		}
	}
	// Output:
	// LOCATION 's3://org-trail-logs/AWSLogs/o-a1b2c3d4e5/'
	// 'storage.location.template'='s3://org-trail-logs/AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/${region}/${timestamp}'
}
