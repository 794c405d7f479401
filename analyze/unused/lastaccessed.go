package unused

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/iamwhy/iamwhy/policy"
)

// LastAccessed is IAM's last-accessed report for one principal: the output
// of `aws iam get-service-last-accessed-details` (service level, and action
// level for the services and actions IAM tracks).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLastAccessedDetails.html
type LastAccessed struct {
	// Principal is the user or role the report is for.
	Principal string
	// Source is the file it was read from.
	Source string
	// Services by namespace (s3, ec2, ...).
	Services map[string]*ServiceAccess
}

// ServiceAccess is one ServicesLastAccessed entry.
type ServiceAccess struct {
	Namespace string
	// Last is when the principal last authenticated to the service; zero
	// when not within IAM's tracking period.
	Last time.Time
	// Actions are the tracked actions (ActionName -> last access, zero
	// when never); nil when the report is service level or IAM does not
	// track the service's actions.
	Actions map[string]time.Time
}

type lastAccessedJSON struct {
	JobStatus            string
	JobType              string
	IsTruncated          bool
	ServicesLastAccessed []struct {
		ServiceNamespace           string
		LastAuthenticated          *string
		LastAuthenticatedEntity    *string
		TrackedActionsLastAccessed []struct {
			ActionName       string
			LastAccessedTime *string
		}
	}
}

// maxLastAccessed caps a report's size: every service of AWS with every
// tracked action is well under a megabyte.
const maxLastAccessed = 64 << 20

// ReadLastAccessed reads a report. spec is FILE or PRINCIPAL_ARN=FILE; a
// FILE alone is for the entity the report names as having last
// authenticated (every such entry must agree).
func ReadLastAccessed(spec string) (*LastAccessed, error) {
	principal, path := "", spec
	if i := strings.Index(spec, "="); i > 0 && strings.HasPrefix(spec, "arn:") {
		principal, path = spec[:i], spec[i+1:]
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxLastAccessed+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxLastAccessed {
		return nil, fmt.Errorf("%s: larger than %d MB", path, maxLastAccessed>>20)
	}
	return ParseLastAccessed(path, principal, data)
}

// ParseLastAccessed parses a report's JSON; principal may be "" (taken from
// the report).
func ParseLastAccessed(source, principal string, data []byte) (*LastAccessed, error) {
	var raw lastAccessedJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		off := int64(-1)
		if errors.As(err, &se) {
			off = se.Offset
		} else if errors.As(err, &te) {
			off = te.Offset
		}
		if off >= 0 {
			line, col := lineCol(data, off)
			return nil, fmt.Errorf("%s: %v", policy.At(source, line, col), err)
		}
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	if raw.JobStatus != "COMPLETED" {
		return nil, fmt.Errorf("%s: JobStatus %q: the report is complete only when JobStatus is COMPLETED", source, raw.JobStatus)
	}
	if raw.IsTruncated {
		return nil, fmt.Errorf("%s: IsTruncated is true: fetch every page (the AWS CLI does unless --max-items is given)", source)
	}
	la := &LastAccessed{Principal: principal, Source: source, Services: map[string]*ServiceAccess{}}
	entity := ""
	for i, s := range raw.ServicesLastAccessed {
		if s.ServiceNamespace == "" {
			return nil, fmt.Errorf("%s: ServicesLastAccessed[%d] has no ServiceNamespace", source, i)
		}
		sa := &ServiceAccess{Namespace: s.ServiceNamespace}
		if s.LastAuthenticated != nil {
			t, err := time.Parse(time.RFC3339, *s.LastAuthenticated)
			if err != nil {
				return nil, fmt.Errorf("%s: ServicesLastAccessed[%d].LastAuthenticated: %v", source, i, err)
			}
			sa.Last = t
		}
		if s.LastAuthenticatedEntity != nil && *s.LastAuthenticatedEntity != "" {
			if entity != "" && entity != *s.LastAuthenticatedEntity && principal == "" {
				return nil, fmt.Errorf("%s: the report names several entities (%s, %s): give it as PRINCIPAL_ARN=FILE", source, entity, *s.LastAuthenticatedEntity)
			}
			entity = *s.LastAuthenticatedEntity
		}
		if raw.JobType == "ACTION_LEVEL" && s.TrackedActionsLastAccessed != nil {
			sa.Actions = map[string]time.Time{}
			for _, a := range s.TrackedActionsLastAccessed {
				var t time.Time
				if a.LastAccessedTime != nil {
					var err error
					if t, err = time.Parse(time.RFC3339, *a.LastAccessedTime); err != nil {
						return nil, fmt.Errorf("%s: %s %s LastAccessedTime: %v", source, s.ServiceNamespace, a.ActionName, err)
					}
				}
				sa.Actions[strings.ToLower(a.ActionName)] = t
			}
		}
		la.Services[strings.ToLower(s.ServiceNamespace)] = sa
	}
	if la.Principal == "" {
		if entity == "" {
			return nil, fmt.Errorf("%s: the report names no entity (nothing was accessed): give it as PRINCIPAL_ARN=FILE", source)
		}
		la.Principal = entity
	}
	return la, nil
}

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
