#!/usr/bin/env bash
# collect-organization.sh: write the organisation file of an iamwhy
# environment (docs/environment-organization.md) with the AWS CLI.
#
#   scripts/collect-organization.sh [OUT_DIR]
#
# Writes OUT_DIR/organization.yaml and OUT_DIR/policies/ID.json (each SCP and
# RCP exactly as describe-policy returns it). Run it with credentials of the
# management account (or a delegated administrator); AWS_PROFILE and the
# other AWS CLI settings apply. Calls are read-only: describe-organization,
# list-roots, list-organizational-units-for-parent, list-accounts-for-parent,
# list-policies-for-target, describe-policy. `iamwhy collect` does the same
# and more in one command.
set -euo pipefail

out=${1:-.}
mkdir -p "$out/policies"
aws=${AWS:-aws}

# YAML double-quoted scalar.
q() {
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}

org_id=$($aws organizations describe-organization --query 'Organization.Id' --output text)
mgmt=$($aws organizations describe-organization --query 'Organization.MasterAccountId' --output text)
read -r root_id root_name < <($aws organizations list-roots --query 'Roots[0].[Id,Name]' --output text)
enabled=$($aws organizations list-roots --query "Roots[0].PolicyTypes[?Status=='ENABLED'].Type" --output text)
scp_enabled=no
rcp_enabled=no
case " $enabled " in *SERVICE_CONTROL_POLICY*) scp_enabled=yes ;; esac
case " $enabled " in *RESOURCE_CONTROL_POLICY*) rcp_enabled=yes ;; esac

# With the SCP policy type disabled no SCP applies: say so with an
# allow-everything policy at every node, as iamwhy collect does.
if [ "$scp_enabled" = no ]; then
	printf '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}\n' >"$out/policies/p-FullAWSAccess.json"
fi

# policies TARGET FILTER: the ids attached, as a YAML flow list; each policy
# is described once.
policies() {
	local target=$1 filter=$2 ids id list=""
	if [ "$filter" = SERVICE_CONTROL_POLICY ] && [ "$scp_enabled" = no ]; then
		echo "[p-FullAWSAccess]"
		return
	fi
	if [ "$filter" = RESOURCE_CONTROL_POLICY ] && [ "$rcp_enabled" = no ]; then
		echo "[]"
		return
	fi
	ids=$($aws organizations list-policies-for-target --target-id "$target" --filter "$filter" --query 'Policies[].Id' --output text)
	for id in $ids; do
		[ "$id" = None ] && continue
		if [ ! -f "$out/policies/$id.json" ]; then
			$aws organizations describe-policy --policy-id "$id" --query 'Policy.Content' --output text >"$out/policies/$id.json"
		fi
		list="$list${list:+, }$id"
	done
	echo "[$list]"
}

# node INDENT ID NAME: the node's attachments, accounts and OUs, recursively.
node() {
	local ind=$1 id=$2 name=$3 line aid aname ouid ouname
	echo "${ind}id: $id"
	echo "${ind}name: $(q "$name")"
	echo "${ind}scp: $(policies "$id" SERVICE_CONTROL_POLICY)"
	echo "${ind}rcp: $(policies "$id" RESOURCE_CONTROL_POLICY)"
	echo "${ind}accounts:"
	while IFS=$'\t' read -r aid aname; do
		[ -z "$aid" ] && continue
		echo "${ind}  - id: $(q "$aid")"
		echo "${ind}    name: $(q "$aname")"
		echo "${ind}    scp: $(policies "$aid" SERVICE_CONTROL_POLICY)"
		echo "${ind}    rcp: $(policies "$aid" RESOURCE_CONTROL_POLICY)"
	done < <($aws organizations list-accounts-for-parent --parent-id "$id" --query 'Accounts[].[Id,Name]' --output text)
	echo "${ind}ous:"
	while IFS=$'\t' read -r ouid ouname; do
		[ -z "$ouid" ] && continue
		echo "${ind}  -"
		node "$ind    " "$ouid" "$ouname"
	done < <($aws organizations list-organizational-units-for-parent --parent-id "$id" --query 'OrganizationalUnits[].[Id,Name]' --output text)
}

{
	echo "# Written by scripts/collect-organization.sh (docs/environment-organization.md)."
	echo "id: $org_id"
	echo "management_account: $(q "$mgmt")"
	echo "policies:"
	# Filled in below, once every attached policy has been described.
	echo "root:"
	node "  " "$root_id" "$root_name"
} >"$out/organization.yaml.tree"

{
	sed -n '1,4p' "$out/organization.yaml.tree"
	for f in "$out"/policies/*.json; do
		[ -e "$f" ] || continue
		id=$(basename "$f" .json)
		echo "  $id: policies/$id.json"
	done
	sed -n '5,$p' "$out/organization.yaml.tree"
} >"$out/organization.yaml"
rm -f "$out/organization.yaml.tree"
echo "wrote $out/organization.yaml" >&2
