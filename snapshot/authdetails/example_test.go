package authdetails_test

import (
	"encoding/json"
	"fmt"

	"github.com/iamwhy/iamwhy/snapshot/authdetails"
)

// A page written with its documents, and read back without them.
func Example() {
	page := authdetails.Page[json.RawMessage]{
		RoleDetailList: []authdetails.Role[json.RawMessage]{{
			RoleName: "app", Arn: "arn:aws:iam::111122223333:role/app",
			AssumeRolePolicyDocument: json.RawMessage(`{"Version":"2012-10-17","Statement":[]}`),
		}},
	}
	data, _ := json.Marshal(page)
	var read authdetails.Page[authdetails.Skipped]
	if err := json.Unmarshal(data, &read); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(read.RoleDetailList[0].Arn)
	// Output: arn:aws:iam::111122223333:role/app
}
