package errorcode_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/errorcode"
)

func ExampleIsAccessDenied() {
	fmt.Println(errorcode.IsAccessDenied("Client.UnauthorizedOperation"), errorcode.IsAccessDenied("ExpiredToken"))
	// Output: true false
}
