package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	sdk "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/iamwhy/iamwhy/trail/athena"
	"github.com/spf13/cobra"
)

// athenaQueryOptions are the flags of `trail query --engine athena`.
type athenaQueryOptions struct {
	Region         string
	Database       string
	Catalog        string
	Workgroup      string
	OutputLocation string
	CreateTable    bool
	AllowDDL       bool
	Table          athena.TableOptions
	// httpClient replaces the SDK's HTTP client (tests answer with
	// Athena's responses), as for every AWS client of the CLI.
	httpClient aws.HTTPClient
}

func addAthenaQueryFlags(cmd *cobra.Command, o *athenaQueryOptions) {
	f := cmd.Flags()
	f.StringVar(&o.Region, "region", "", "Athena's region (default: the AWS SDK's, from AWS_REGION or the profile)")
	f.StringVar(&o.Database, "database", "default", "Athena (Glue) database holding cloudtrail_logs")
	f.StringVar(&o.Catalog, "catalog", "", "Athena data catalog (default: AwsDataCatalog)")
	f.StringVar(&o.Workgroup, "workgroup", "", "Athena workgroup (default: primary)")
	f.StringVar(&o.OutputLocation, "output-location", "", "s3:// URI for Athena's query results (default: the workgroup's)")
	f.BoolVar(&o.AllowDDL, "allow-ddl", false, "send --sql to Athena even when it is not a read (SELECT, WITH, SHOW, DESCRIBE): DROP, CREATE, INSERT, UNLOAD, ...")
	f.BoolVar(&o.CreateTable, "create-table", false, "create the cloudtrail_logs table with partition projection first (needs --bucket)")
	f.StringVar(&o.Table.Bucket, "bucket", "", "with --create-table: the trail's S3 bucket")
	f.StringVar(&o.Table.Prefix, "prefix", "", "with --create-table: the trail's S3 key prefix, if any")
	f.StringVar(&o.Table.OrgID, "org-id", "", "with --create-table: organisation ID (o-...) of an organisation trail")
	f.StringSliceVar(&o.Table.Accounts, "accounts", nil, "with --create-table: account IDs to project (default: injected, queries must name the account)")
	f.StringSliceVar(&o.Table.Regions, "regions", nil, "with --create-table: regions to project (default: all commercial regions)")
	f.StringVar(&o.Table.StartDate, "start-date", "", "with --create-table: first day to project, yyyy/MM/dd (default 2020/01/01)")
}

// newAthenaAPI makes the Athena client from the default AWS configuration,
// in region when given, through httpClient when set.
func newAthenaAPI(ctx context.Context, region string, httpClient aws.HTTPClient) (athena.API, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if httpClient != nil {
		opts = append(opts, config.WithHTTPClient(httpClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	return sdk.NewFromConfig(cfg), nil
}

func runAthenaQuery(ctx context.Context, s Streams, sql string, o athenaQueryOptions, render queryRender) error {
	// On Ctrl-C the context ends and the client stops the running query,
	// so Athena does not go on scanning (and billing) for nobody.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	api, err := newAthenaAPI(ctx, o.Region, o.httpClient)
	if err != nil {
		return err
	}
	cfg := athena.Config{
		Database: o.Database, Catalog: o.Catalog, Workgroup: o.Workgroup, OutputLocation: o.OutputLocation, AllowDDL: o.AllowDDL,
	}
	c := athena.New(api, cfg)
	if sql != "" && !o.AllowDDL {
		// Refused before anything is sent, the table creation included.
		if err := athena.CheckReadOnly(sql); err != nil {
			return fmt.Errorf("--sql: %w", err)
		}
	}
	if o.CreateTable {
		ddl, err := athena.CreateTableSQL(o.Table)
		if err != nil {
			return err
		}
		// iamwhy's own CREATE EXTERNAL TABLE, asked for by --create-table.
		ddlCfg := cfg
		ddlCfg.AllowDDL = true
		res, err := athena.New(api, ddlCfg).Execute(ctx, ddl)
		if err != nil {
			return fmt.Errorf("create table: %w", err)
		}
		for res.Next() {
		}
		if err := res.Err(); err != nil {
			return fmt.Errorf("create table: %w", err)
		}
		fmt.Fprintf(s.Err, "iamwhy: athena: table ready in database %s\n", o.Database)
	}
	if sql == "" {
		return nil
	}
	res, err := c.Execute(ctx, sql)
	if err != nil {
		return err
	}
	if err := render(s.Out, athenaResult{res}); err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "iamwhy: athena: query %s scanned %.1f MB in %s; Athena keeps its results in the output location (iamwhy does not delete them)\n",
		res.QueryExecutionID(), float64(res.Scanned)/1e6, res.Elapsed)
	return nil
}

// athenaResult adapts athena.Result to queryResult.
type athenaResult struct{ *athena.Result }

func (r athenaResult) Columns() []string {
	cols := r.Result.Columns()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}
