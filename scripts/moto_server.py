"""A local CloudFormation endpoint for rcdk's end-to-end tests: moto's server on
127.0.0.1, after filling the gaps of moto 5.2.5 that real deployments run into.

    python scripts/moto_server.py PORT

What it fills, and why (rcdk itself has no emulator special case; every patch makes
moto behave more like CloudFormation):

1. Change-set execution neither publishes the stack's Outputs/Exports nor lets the
   stack see other stacks' Exports (CreateStack does both). Multi-stack apps deploy
   through change sets and import each other's exports, so execution now resolves
   Fn::ImportValue against the region's exports and publishes the stack's own.
2. Resource types moto does not model are skipped, so a Ref to them resolves to
   nothing and dependents break. They now get a placeholder with a physical id and
   ARN-shaped attributes.
3. Modelled types lack some attributes (Fn::GetAtt fails with HTTP 500, e.g.
   LoadBalancerFullName, TargetGroupFullName). The ELBv2 names are computed from the
   ARN as AWS does; any other missing attribute gets a placeholder value.
4. KMS keys created from a template with Tags fail (CloudFormation passes Key/Value,
   moto's KMS expects TagKey/TagValue).
5. A Ref to an RDS DB parameter group resolves to moto's object instead of its name,
   so creating the DB instance that uses it fails (HTTP 500). It now resolves to the name.
6. HTTPS listeners need the ACM certificate to exist in moto, and the reference app
   names certificates of its real account that a local endpoint cannot own. Any
   well-formed ACM certificate ARN is accepted.
7. ListImports and UpdateTerminationProtection are not implemented. ListImports now
   answers from the ImportValue references in the region's stacks; termination
   protection can be turned on and off after creation.
8. Deleting a VPC or subnet that moto's other services still reference fails with
   DependencyViolation when the stack that owned them is deleted; CloudFormation
   would have deleted the dependents first. Stack deletion now ignores that error.
9. Change-set execution never fails and never rolls back, so a deploy tool's failure
   paths cannot be exercised. A resource whose properties hold a string starting with
   "RCDK_TEST_FAIL:" now fails to provision with the rest of that string as its reason,
   and the stack rolls back as CloudFormation does: a failed create ends in
   ROLLBACK_COMPLETE with nothing kept (CREATE_FAILED, the cancelled resources, the
   rollback's deletions); a failed update ends in UPDATE_ROLLBACK_COMPLETE with the
   previous template and resources kept (UPDATE_FAILED, "Resource update cancelled" for
   the other changes in flight, the rollback's updates). Nothing else marks a failure.
10. A resource replaced by an update is deleted even when its UpdateReplacePolicy is
   Retain (moto's S3 bucket does this when BucketName changes), so "the old bucket is
   kept" cannot be observed. A replaced resource with UpdateReplacePolicy Retain is
   now kept, as CloudFormation keeps it.
13. AWS::CloudTrail::Trail and AWS::Logs::MetricFilter are not modelled (a trail or
   filter from a template would be a placeholder nobody can list). They now create a
   real trail (started when IsLogging) and metric filter in moto's backends, which
   DescribeTrails and DescribeMetricFilters answer from.
14. CreateChangeSet ignores ClientToken, so a retry of a call whose answer was lost
   makes a second change set, and a CREATE change set always makes a new stack, even
   when one of that name waits in REVIEW_IN_PROGRESS (a second stack of the same name
   then exists). CloudFormation answers a repeated ClientToken with the first call's
   result, reuses a REVIEW_IN_PROGRESS stack for a new CREATE change set, and refuses
   a CREATE for a stack that exists in any other state. Now so does the endpoint.
16. AssumeRole hands out credentials for any role ARN, existing or not, trusting the
   caller or not, so a deploy through an account's roles could not fail the way it does
   in AWS. Roles named rcdk-* (the roles `rcdk bootstrap` makes) must now exist in the
   role's account and trust the caller's account, else AccessDenied as STS answers;
   other roles are assumed as before (that is how tests enter another account, the way
   an organisation's OrganizationAccountAccessRole does).
17. An update of an AWS::IAM::Role keeps its old trust policy and inline policies, so
   untrusting an account through a stack update would not take effect. The update now
   writes both, as CloudFormation does.
18. DescribeStacks answers a CommaDelimitedList parameter with Python's repr of the
   list (['a', 'b']); CloudFormation answers with the value as given (a,b), which is
   what a tool reads back to keep a stack's parameters. Now so does the endpoint.
19. A self-managed StackSet's instance stack is named "StackSet:NAME"; a colon is not
   allowed in a stack name, and resources named after their stack (a topic, a queue)
   then fail. CloudFormation names it StackSet-NAME-UUID; now so does the endpoint.
20. A rollback never fails, so a stack never ends in UPDATE_ROLLBACK_FAILED, and
   ContinueUpdateRollback is not implemented. A resource whose properties hold a string
   starting with "RCDK_TEST_STUCK:" now fails to update and then fails to roll back
   (the stack ends in UPDATE_ROLLBACK_FAILED, the rest of the string as the reason), as
   a resource changed outside CloudFormation makes a real rollback fail.
   ContinueUpdateRollback finishes the rollback when ResourcesToSkip names every such
   resource, and fails again (UPDATE_ROLLBACK_FAILED) when it does not.
21. Another client's operation on a stack (a console update, a pipeline) cannot be
   made, so a tool's waiting for it cannot be exercised. A POST to the test path
   /rcdk-test/hold-stack?stack=NAME&seconds=N (region us-east-1 of the default account;
   not an AWS API, as moto's own /moto-api is not) marks the stack UPDATE_IN_PROGRESS
   for that long, then UPDATE_COMPLETE with its events, as such an operation would.
22. Stack refactoring (CreateStackRefactor, DescribeStackRefactor,
   ExecuteStackRefactor) is not implemented. It now moves the mapped resources (the
   same physical resources) between the stacks' resource maps and takes each stack
   definition as that stack's template, refusing a mapping whose source is not
   deployed or whose destination stack does not exist, as CloudFormation does with
   stack creation disabled.
23. DeleteStackInstances ignores DeploymentTargets, so a service-managed StackSet (whose
   instances are addressed by organizational unit) can never lose its instances or be
   deleted. The organizational units' accounts (and those of their child units) are
   now the accounts whose instances go, as CloudFormation resolves them.
24. An update whose parameters are the stack's (given again, or UsePreviousValue) is
   "no changes" only when the two parameter maps are equal as sent, so keeping the
   previous value of a parameter that took its default (sent by CreateStack without it)
   is a change, and CreateChangeSet with the same template text and parameters fails
   with "No updates are to be performed" (UpdateStack's answer). CloudFormation compares
   the values in effect (defaults filled in) and makes a FAILED change set that "didn't
   contain changes"; now so does the endpoint. UsePreviousValue takes the value given
   last (moto took what an SSM-typed parameter resolved to, which then resolves again).
25. IMPORT change sets (ResourcesToImport) are not implemented: moto makes a new stack
   for any change set type but UPDATE and creates every resource again. An IMPORT
   change set now adopts the existing resources it names, as CloudFormation does: each
   must be in the template with its type and a DeletionPolicy, and exist (buckets by
   BucketName, queues by QueueUrl, topics by TopicArn, log groups by LogGroupName); no
   other resource may be added. Its rows say Import; executing it puts the existing
   resources (not new ones) under the stack, which ends in IMPORT_COMPLETE.
26. AWS::Organizations::Policy is not modelled (a service control policy from a
   template would be a placeholder that ListPolicies never shows and that no target
   has). It now creates the policy in the organisation of the stack's account (its
   Content, given as JSON, kept as text as Organizations keeps it) and attaches it to
   each of its TargetIds; deleting it detaches it first, as CloudFormation does.
"""

import logging
import sys
import uuid

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

log = logging.getLogger("rcdk-moto")


# 2. Placeholders for resource types moto does not model.
class Placeholder:
    def __init__(self, logical_id, resource_type, account_id, region_name):
        self.logical_id = logical_id
        self.resource_type = resource_type
        short = resource_type.split("::")[-1].lower()
        self.physical_resource_id = f"{logical_id}-{uuid.uuid4().hex[:12]}"
        service = resource_type.split("::")[1].lower() if "::" in resource_type else "placeholder"
        self.arn = f"arn:aws:{service}:{region_name}:{account_id}:{short}/{self.physical_resource_id}"
        # Types whose Ref is their ARN, in the ARN's real shape (clients split it).
        if resource_type == "AWS::SecretsManager::Secret":
            self.arn = f"arn:aws:secretsmanager:{region_name}:{account_id}:secret:{self.physical_resource_id}"
            self.physical_resource_id = self.arn
        elif resource_type == "AWS::RDS::DBProxy":
            # Clients take the resource id (prx-…) from the ARN's seventh field.
            self.arn = f"arn:aws:rds:{region_name}:{account_id}:db-proxy:prx-{uuid.uuid4().hex[:17]}"
            self.physical_resource_id = logical_id.lower()
        elif resource_type == "AWS::IAM::OIDCProvider":
            self.arn = f"arn:aws:iam::{account_id}:oidc-provider/{logical_id.lower()}"
            self.physical_resource_id = self.arn

    @staticmethod
    def cloudformation_type():
        return "Placeholder"

    def is_created(self):
        # CreateStack (not change-set execution) asks every resource.
        return True

    @classmethod
    def has_cfn_attr(cls, attr):
        return True

    def get_cfn_attribute(self, attribute_name):
        if attribute_name.endswith("Arn"):
            return self.arn
        return f"{self.physical_resource_id}-{attribute_name.lower()}"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        return cls(kwargs.get("LogicalId", resource_name), kwargs.get("ResourceType", "Unknown"), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        return None


_original_class_from_type = parsing.resource_class_from_type


def resource_class_from_type(resource_type):
    if resource_type in parsing.NULL_MODELS or resource_type.startswith("Custom::"):
        return _original_class_from_type(resource_type)
    if resource_type not in parsing.get_model_map():
        log.info("placeholder for %s (not modelled by moto)", resource_type)
        return Placeholder
    return _original_class_from_type(resource_type)


parsing.resource_class_from_type = resource_class_from_type


# 3. Missing attributes.
def _elbv2_full_name(arn, marker):
    # arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID -> app/NAME/ID
    return arn.split(marker, 1)[1] if marker in arn else arn


def _no_attribute(self, attribute_name):
    raise NotImplementedError(attribute_name)


def _with_fallback(model_class):
    original = getattr(model_class, "get_cfn_attribute", _no_attribute)

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "LoadBalancerFullName" and hasattr(self, "arn"):
            return _elbv2_full_name(self.arn, ":loadbalancer/")
        if attribute_name == "TargetGroupFullName" and hasattr(self, "arn"):
            return "targetgroup/" + _elbv2_full_name(self.arn, ":targetgroup/")
        if attribute_name == "TargetGroupName" and hasattr(self, "name"):
            return self.name
        # RDS instances know their ARN (a cross-region replica names its source by it).
        if attribute_name == "DBInstanceArn" and hasattr(self, "db_instance_arn"):
            return self.db_instance_arn
        try:
            return original(self, attribute_name)
        except Exception as e:  # noqa: BLE001 - any missing attribute becomes a placeholder
            ident = getattr(self, "physical_resource_id", None) or getattr(self, "name", None) or "resource"
            log.info("placeholder for %s.%s (%s)", type(self).__name__, attribute_name, e)
            return f"{ident}-{attribute_name.lower()}"

    model_class.get_cfn_attribute = get_cfn_attribute


for _model in set(parsing.get_model_map().values()):
    _with_fallback(_model)


# 1. Change-set execution sees and publishes exports.
def _find_change_set(backend, change_set_name):
    if change_set_name in backend.change_sets:
        return backend.change_sets[change_set_name]
    for cs in backend.change_sets.values():
        if cs.change_set_name == change_set_name:
            return cs
    return None


_original_execute = cfn_models.CloudFormationBackend.execute_change_set


def execute_change_set(self, change_set_name, stack_name=None):
    change_set = _find_change_set(self, change_set_name)
    stack = change_set.stack if change_set is not None else None
    if stack is not None:
        stack.cross_stack_resources = self.exports
        stack.resource_map.cross_stack_resources = self.exports
        if _fail_and_roll_back(stack, change_set):
            return
    _original_execute(self, change_set_name, stack_name)
    if stack is None:
        return
    stack._parse_template()
    stack.output_map = stack._create_output_map()
    for name in [n for n, e in self.exports.items() if e.exporting_stack_id == stack.stack_id]:
        del self.exports[name]
    for export in stack.exports:
        self.exports[export.name] = export


cfn_models.CloudFormationBackend.execute_change_set = execute_change_set


# 9. Planned provisioning failures, and the rollback that follows.
FAIL_MARKER = "RCDK_TEST_FAIL:"
STUCK_MARKER = "RCDK_TEST_STUCK:"
# Stack id -> {logical id: (type, reason)} of resources whose rollback fails (20).
_stuck = {}


def _failure_reason(value, marker=FAIL_MARKER):
    if isinstance(value, str):
        return value[len(marker):].strip() if value.startswith(marker) else None
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    for child in children:
        reason = _failure_reason(child, marker)
        if reason is not None:
            return reason
    return None


def _planned_failure(properties):
    """(reason, whether its rollback fails too) of a marked resource, or None."""
    reason = _failure_reason(properties)
    if reason is not None:
        return reason, False
    reason = _failure_reason(properties, STUCK_MARKER)
    return (reason, True) if reason is not None else None


def _resource_event(stack, logical_id, resource_type, status, reason=None):
    stack.events.append(
        cfn_models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id="",
            resource_type=resource_type,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def _fail_and_roll_back(stack, change_set):
    """Plays a failed execution if the change set provisions a marked resource; True if it did."""
    new = change_set.template_dict.get("Resources", {})
    creating = change_set.change_set_type == "CREATE"
    if creating:
        touched = sorted(new)
    else:
        diff = stack.resource_map.build_resource_diff(change_set.template_dict, change_set.parameters)
        touched = sorted(set(diff["Add"]) | set(diff["Modify"]))
    failing = [(name, _planned_failure(new[name].get("Properties", {}))) for name in touched]
    failing = [(name, planned) for name, planned in failing if planned is not None]
    if not failing:
        return False
    name, (reason, stuck) = failing[0]
    stuck = stuck and not creating
    others = [n for n in touched if n != name]
    kind = "CREATE" if creating or name not in stack.resource_map._resource_json_map else "UPDATE"
    verb = "create" if kind == "CREATE" else "update"
    log.info("planned failure of %s in %s: %s", name, stack.name, reason)
    if creating:
        stack._add_stack_event("CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
    else:
        stack._add_stack_event("UPDATE_IN_PROGRESS")
    # The failing resource and the others in flight at the time, which are cancelled.
    for n in [name] + others[:2]:
        _resource_event(stack, n, new[n]["Type"], f"{kind}_IN_PROGRESS")
    _resource_event(stack, name, new[name]["Type"], f"{kind}_FAILED", reason)
    for n in others[:2]:
        _resource_event(stack, n, new[n]["Type"], f"{kind}_FAILED", f"Resource {'creation' if kind == 'CREATE' else 'update'} cancelled")
    cause = f"The following resource(s) failed to {verb}: [{name}]. "
    if creating:
        stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=cause + "Rollback requested by user.")
        for n in [name] + others[:2]:
            _resource_event(stack, n, new[n]["Type"], "DELETE_COMPLETE")
        stack._add_stack_event("ROLLBACK_COMPLETE")
        stack.status = "ROLLBACK_COMPLETE"
    else:
        stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=cause)
        old = stack.resource_map._resource_json_map
        if stuck:
            # The failed resource cannot go back either: the rollback stops there.
            _resource_event(stack, name, new[name]["Type"], "UPDATE_FAILED", reason)
            stack._add_stack_event(
                "UPDATE_ROLLBACK_FAILED",
                resource_status_reason=f"The following resource(s) failed to update: [{name}]. ",
            )
            stack.status = "UPDATE_ROLLBACK_FAILED"
            _stuck[stack.stack_id] = {name: (new[name]["Type"], reason)}
            change_set.execution_status = "EXECUTE_FAILED"
            return True
        for n in [name] + others[:2]:
            if n in old:
                _resource_event(stack, n, old[n]["Type"], "UPDATE_COMPLETE")
            else:
                _resource_event(stack, n, new[n]["Type"], "DELETE_COMPLETE")
        stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
    change_set.execution_status = "EXECUTE_FAILED"
    return True


# 4. KMS tags from templates.
from moto.kms import models as kms_models  # noqa: E402

_original_create_key = kms_models.KmsBackend.create_key


def create_key(self, policy, key_usage, key_spec, description, tags, *args, **kwargs):
    if tags:
        tags = [{"TagKey": t.get("TagKey", t.get("Key")), "TagValue": t.get("TagValue", t.get("Value"))} for t in tags]
    return _original_create_key(self, policy, key_usage, key_spec, description, tags, *args, **kwargs)


kms_models.KmsBackend.create_key = create_key


# 5. Ref of a DB parameter group is its name.
from moto.rds import models as rds_models  # noqa: E402

rds_models.DBParameterGroup.physical_resource_id = property(lambda self: self.name)


# 6. Certificates named by ARN.
from moto.elbv2 import models as elbv2_models  # noqa: E402

_original_certificate_exists = elbv2_models.ELBv2Backend._certificate_exists


def _certificate_exists(self, certificate_arn):
    if certificate_arn.startswith("arn:aws:acm:") and ":certificate/" in certificate_arn:
        return True
    return _original_certificate_exists(self, certificate_arn)


elbv2_models.ELBv2Backend._certificate_exists = _certificate_exists
_original_register = elbv2_models.register_certificate


def register_certificate(account_id, region, arn_certificate, arn_user):
    try:
        _original_register(account_id, region, arn_certificate, arn_user)
    except Exception:  # noqa: BLE001 - a certificate of the real account, unknown here
        log.info("certificate %s accepted without an ACM record", arn_certificate)


elbv2_models.register_certificate = register_certificate


# 7. ListImports, UpdateTerminationProtection.
from moto.cloudformation import responses as cfn_responses  # noqa: E402
from moto.cloudformation.exceptions import ValidationError  # noqa: E402
from moto.core.responses import ActionResult  # noqa: E402


def _imports(value, name):
    if isinstance(value, dict):
        if value.get("Fn::ImportValue") == name:
            return True
        return any(_imports(v, name) for v in value.values())
    if isinstance(value, list):
        return any(_imports(v, name) for v in value)
    return False


def list_imports(self):
    name = self._get_param("ExportName")
    backend = self.cloudformation_backend
    importers = sorted(
        stack.name
        for stack in backend.stacks.values()
        if not stack.status.startswith("DELETE") and _imports(getattr(stack, "template_dict", {}), name)
    )
    if not importers:
        raise ValidationError(message=f"Export '{name}' is not imported by any stack.")
    return ActionResult({"Imports": importers})


def update_termination_protection(self):
    backend = self.cloudformation_backend
    stack = backend.get_stack(self._get_param("StackName"))
    stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection")
    return ActionResult({"StackId": stack.stack_id})


cfn_responses.CloudFormationResponse.list_imports = list_imports
cfn_responses.CloudFormationResponse.update_termination_protection = update_termination_protection


# 8. Stack deletion and resources other moto services still reference.
_original_delete = parsing.ResourceMap.delete


def delete(self):
    try:
        return _original_delete(self)
    except Exception as e:  # noqa: BLE001
        if "DependencyViolation" in type(e).__name__ or "DependencyViolation" in str(e):
            log.info("ignored on stack deletion: %s", e)
            return None
        raise


parsing.ResourceMap.delete = delete


# 11. A cross-region read replica belongs to its own region from the start (moto copies
# the source, whose region then resolves the replica's subnet and parameter groups).
_original_read_replica = rds_models.RDSBackend.create_db_instance_read_replica


def create_db_instance_read_replica(self, db_kwargs):
    source = db_kwargs["source_db_instance_identifier"]
    if not self.arn_regex.match(source):
        return _original_read_replica(self, db_kwargs)
    import copy

    primary = self.find_db_from_id(source)
    replica = copy.copy(primary)
    replica.backend = self
    db_kwargs["backend"] = self
    replica.update(**db_kwargs)
    replica.set_as_replica()
    self.databases[db_kwargs["db_instance_identifier"]] = replica
    primary.add_replica(replica)
    return replica


rds_models.RDSBackend.create_db_instance_read_replica = create_db_instance_read_replica


# 10. UpdateReplacePolicy: Retain on replacement.
_original_parse_and_update = parsing.parse_and_update_resource


def parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name):
    if resource_json.get("UpdateReplacePolicy") != "Retain":
        return _original_parse_and_update(logical_id, resource_json, resources_map, account_id, region_name)
    resource_class = parsing.get_model_map().get(resource_json.get("Type"))
    if resource_class is None:
        return _original_parse_and_update(logical_id, resource_json, resources_map, account_id, region_name)
    # The class's own attribute (a classmethod descriptor), or none if inherited.
    own = resource_class.__dict__.get("delete_from_cloudformation_json")

    def keep(*_args, **_kwargs):
        log.info("%s replaced; the old one is retained (UpdateReplacePolicy Retain)", logical_id)

    resource_class.delete_from_cloudformation_json = keep
    try:
        return _original_parse_and_update(logical_id, resource_json, resources_map, account_id, region_name)
    finally:
        if own is None:
            del resource_class.delete_from_cloudformation_json
        else:
            resource_class.delete_from_cloudformation_json = own


parsing.parse_and_update_resource = parse_and_update_resource


# 13. Trails and metric filters from templates.
def _flag(value):
    return value is True or str(value).lower() == "true"


class TrailFromTemplate(CloudFormationModel):
    # moto files models by the service in their module's name.
    __module__ = "moto.cloudtrail.rcdk"

    def __init__(self, trail):
        self.trail = trail

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudTrail::Trail"

    @staticmethod
    def cloudformation_name_type():
        return "TrailName"

    @property
    def physical_resource_id(self):
        return self.trail.trail_name

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("Arn", "SnsTopicArn")

    def get_cfn_attribute(self, attribute_name):
        return self.trail.arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        from moto.cloudtrail.models import cloudtrail_backends

        p = cloudformation_json["Properties"]
        backend = cloudtrail_backends[account_id][region_name]
        trail = backend.create_trail(
            p.get("TrailName", resource_name),
            p["S3BucketName"],
            p.get("S3KeyPrefix"),
            p.get("SnsTopicName"),
            _flag(p.get("IncludeGlobalServiceEvents", True)),
            _flag(p.get("IsMultiRegionTrail", False)),
            _flag(p.get("EnableLogFileValidation", False)),
            _flag(p.get("IsOrganizationTrail", False)),
            p.get("CloudWatchLogsLogGroupArn"),
            p.get("CloudWatchLogsRoleArn"),
            p.get("KMSKeyId"),
            [],
        )
        if _flag(p.get("IsLogging")):
            backend.start_logging(trail.trail_name)
        return cls(trail)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        from moto.cloudtrail.models import cloudtrail_backends

        backend = cloudtrail_backends[account_id][region_name]
        name = cloudformation_json.get("Properties", {}).get("TrailName", resource_name)
        if name in backend.trails:
            backend.delete_trail(name)


class MetricFilterFromTemplate(CloudFormationModel):
    __module__ = "moto.logs.rcdk"

    def __init__(self, name):
        self.name = name

    @staticmethod
    def cloudformation_type():
        return "AWS::Logs::MetricFilter"

    @staticmethod
    def cloudformation_name_type():
        return "FilterName"

    @property
    def physical_resource_id(self):
        return self.name

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        from moto.logs.models import logs_backends

        p = cloudformation_json["Properties"]
        name = p.get("FilterName", resource_name)
        transformations = [
            {
                "metricName": t["MetricName"],
                "metricNamespace": t["MetricNamespace"],
                "metricValue": t["MetricValue"],
            }
            for t in p["MetricTransformations"]
        ]
        logs_backends[account_id][region_name].put_metric_filter(
            name, p["FilterPattern"], p["LogGroupName"], transformations
        )
        return cls(name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        from moto.logs.models import logs_backends

        p = cloudformation_json.get("Properties", {})
        logs_backends[account_id][region_name].delete_metric_filter(
            p.get("FilterName", resource_name), p.get("LogGroupName")
        )

# 26. Organizations policies from templates.
class PolicyFromTemplate(CloudFormationModel):
    __module__ = "moto.organizations.rcdk"

    def __init__(self, policy_id):
        self.policy_id = policy_id

    @staticmethod
    def cloudformation_type():
        return "AWS::Organizations::Policy"

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @property
    def physical_resource_id(self):
        return self.policy_id

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("Id", "Arn")

    def get_cfn_attribute(self, attribute_name):
        return self.policy_id

    @staticmethod
    def _backend(account_id, region_name):
        from moto.organizations.models import organizations_backends
        from moto.utilities.utils import get_partition

        return organizations_backends[account_id][get_partition(region_name)]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        import json

        p = cloudformation_json["Properties"]
        content = p["Content"]
        backend = cls._backend(account_id, region_name)
        policy = backend.create_policy(
            Content=content if isinstance(content, str) else json.dumps(content),
            Description=p.get("Description", ""),
            Name=p["Name"],
            Type=p["Type"],
        )
        policy_id = policy["Policy"]["PolicySummary"]["Id"]
        for target in p.get("TargetIds", []):
            backend.attach_policy(PolicyId=policy_id, TargetId=target)
        return cls(policy_id)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = cls._backend(account_id, region_name)
        policy = next((q for q in backend.policies if q.name == cloudformation_json.get("Properties", {}).get("Name")), None)
        if policy is None:
            return
        for target in backend.list_targets_for_policy(PolicyId=policy.id)["Targets"]:
            backend.detach_policy(PolicyId=policy.id, TargetId=target["TargetId"])
        backend.delete_policy(PolicyId=policy.id)

# 14. ClientToken on CreateChangeSet; a REVIEW_IN_PROGRESS stack is reused by CREATE.
from moto.cloudformation.exceptions import AlreadyExistsException  # noqa: E402

_original_create_change_set = cfn_models.CloudFormationBackend.create_change_set


def create_change_set(self, stack_name, change_set_name, template, parameters, description, change_set_type, *args, **kwargs):
    if change_set_type != "CREATE":
        return _original_create_change_set(
            self, stack_name, change_set_name, template, parameters, description, change_set_type, *args, **kwargs
        )
    existing = [s for s in self.stacks.values() if s.name == stack_name]
    waiting = [s for s in existing if s.status == "REVIEW_IN_PROGRESS"]
    if existing and not waiting:
        raise AlreadyExistsException(f"Stack [{stack_name}] already exists")
    if not waiting:
        return _original_create_change_set(
            self, stack_name, change_set_name, template, parameters, description, change_set_type, *args, **kwargs
        )
    # A new CREATE change set of the waiting stack, as CloudFormation makes it.
    stack = waiting[0]
    if any(cs.stack_id == stack.stack_id and cs.change_set_name == change_set_name for cs in self.change_sets.values()):
        raise AlreadyExistsException(f"ChangeSet [{change_set_name}] already exists")
    change_set_id = cfn_models.generate_changeset_id(change_set_name, self.region_name, self.account_id)
    change_set = cfn_models.ChangeSet(
        change_set_type="CREATE",
        change_set_id=change_set_id,
        change_set_name=change_set_name,
        stack=stack,
        template=template,
        parameters=parameters,
        description=description,
        notification_arns=kwargs.get("notification_arns"),
        tags=kwargs.get("tags"),
        role_arn=kwargs.get("role_arn"),
    )
    change_set.status = "CREATE_COMPLETE"
    change_set.execution_status = "AVAILABLE"
    self.change_sets[change_set_id] = change_set
    return change_set_id, stack.stack_id


cfn_models.CloudFormationBackend.create_change_set = create_change_set

_original_create_change_set_response = cfn_responses.CloudFormationResponse.create_change_set
_answered_tokens = {}


def create_change_set_response(self):
    token = self._get_param("ClientToken")
    key = (self.current_account, self.region, self._get_param("StackName"), token)
    if token and key in _answered_tokens:
        return ActionResult(_answered_tokens[key])
    result = _original_create_change_set_response(self)
    if token:
        _answered_tokens[key] = result.result
    return result


cfn_responses.CloudFormationResponse.create_change_set = create_change_set_response


# 10. Drift detection, shaped like the real API: DetectStackDrift reads each resource's
# current state from moto's own backends (change it with a plain API call to make drift)
# and compares it with the template's literal properties, as CloudFormation compares the
# properties a template sets. Types without a reader here are NOT_CHECKED, as types
# without drift support are in CloudFormation.
import datetime  # noqa: E402
import json  # noqa: E402
import uuid  # noqa: E402

_NOT_CHECKED = object()
_drift_detections = {}
_resource_drifts = {}


def _sqs_state(model, account_id, region):
    from moto.sqs.models import sqs_backends

    if model.name not in sqs_backends[account_id][region].queues:
        return None
    attributes = model.attributes
    keys = ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "MaximumMessageSize", "ReceiveMessageWaitTimeSeconds")
    return {k: attributes[k] for k in keys if attributes.get(k) is not None}


def _log_group_state(model, account_id, region):
    from moto.logs.models import logs_backends

    group = logs_backends[account_id][region].groups.get(model.name)
    if group is None:
        return None
    return {} if group.retention_in_days is None else {"RetentionInDays": group.retention_in_days}


def _ssm_parameter_state(model, account_id, region):
    from moto.ssm.models import ssm_backends

    found = ssm_backends[account_id][region].get_parameter(model.name)
    return None if found is None else {"Value": found.value}


_STATE_READERS = {
    "AWS::SQS::Queue": _sqs_state,
    "AWS::Logs::LogGroup": _log_group_state,
    "AWS::SSM::Parameter": _ssm_parameter_state,
}


def _resource_drift(stack, logical_id, definition, account_id, region):
    resource_type = definition.get("Type", "")
    expected = definition.get("Properties", {}) or {}
    model = stack.resource_map._parsed_resources.get(logical_id)
    physical = getattr(model, "physical_resource_id", None) if model is not None else None
    reader = _STATE_READERS.get(resource_type)
    actual = _NOT_CHECKED if reader is None or model is None else reader(model, account_id, region)
    differences = []
    if actual is _NOT_CHECKED:
        status, actual_properties = "NOT_CHECKED", {}
    elif actual is None:
        status, actual_properties = "DELETED", {}
    else:
        actual_properties = actual
        for key, value in expected.items():
            # Literal values only: an intrinsic's value is what the template meant.
            if isinstance(value, (dict, list)) or key not in actual:
                continue
            if str(value).lower() != str(actual[key]).lower():
                differences.append({
                    "PropertyPath": f"/{key}",
                    "ExpectedValue": str(value),
                    "ActualValue": str(actual[key]),
                    "DifferenceType": "NOT_EQUAL",
                })
        status = "MODIFIED" if differences else "IN_SYNC"
    drift = {
        "StackId": stack.stack_id,
        "LogicalResourceId": logical_id,
        "ResourceType": resource_type,
        "ExpectedProperties": json.dumps(expected, sort_keys=True),
        "ActualProperties": json.dumps(actual_properties, sort_keys=True, default=str),
        "PropertyDifferences": differences,
        "StackResourceDriftStatus": status,
        "Timestamp": datetime.datetime.now(datetime.timezone.utc),
    }
    if physical:
        drift["PhysicalResourceId"] = str(physical)
    return drift


def detect_stack_drift(self):
    backend = self.cloudformation_backend
    stack = backend.get_stack(self._get_param("StackName"))
    resources = (getattr(stack, "template_dict", {}) or {}).get("Resources", {})
    drifts = [
        _resource_drift(stack, lid, definition, self.current_account, self.region)
        for lid, definition in sorted(resources.items())
    ]
    detection_id = str(uuid.uuid4())
    drifted = sum(1 for d in drifts if d["StackResourceDriftStatus"] in ("MODIFIED", "DELETED"))
    _resource_drifts[stack.stack_id] = drifts
    _drift_detections[detection_id] = {
        "StackId": stack.stack_id,
        "StackDriftDetectionId": detection_id,
        "StackDriftStatus": "DRIFTED" if drifted else "IN_SYNC",
        "DetectionStatus": "DETECTION_COMPLETE",
        "DriftedStackResourceCount": drifted,
        "Timestamp": datetime.datetime.now(datetime.timezone.utc),
    }
    return ActionResult({"StackDriftDetectionId": detection_id})


def describe_stack_drift_detection_status(self):
    detection_id = self._get_param("StackDriftDetectionId")
    if detection_id not in _drift_detections:
        raise ValidationError(message=f"Drift detection {detection_id} does not exist")
    return ActionResult(_drift_detections[detection_id])


def describe_stack_resource_drifts(self):
    backend = self.cloudformation_backend
    stack = backend.get_stack(self._get_param("StackName"))
    return ActionResult({"StackResourceDrifts": _resource_drifts.get(stack.stack_id, [])})


cfn_responses.CloudFormationResponse.detect_stack_drift = detect_stack_drift
cfn_responses.CloudFormationResponse.describe_stack_drift_detection_status = describe_stack_drift_detection_status
cfn_responses.CloudFormationResponse.describe_stack_resource_drifts = describe_stack_resource_drifts


# 16. Roles rcdk bootstrap makes are assumed only when they exist and trust the caller.
from moto.iam.models import iam_backends  # noqa: E402
from moto.sts import responses as sts_responses  # noqa: E402
from moto.sts.exceptions import STSClientError  # noqa: E402

_original_assume_role = sts_responses.TokenResponse.assume_role


def _trusts(document, account):
    try:
        policy = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return False
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for st in statements:
        if not isinstance(st, dict):
            continue
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if st.get("Effect") != "Allow" or "sts:AssumeRole" not in actions:
            continue
        principals = (st.get("Principal") or {}).get("AWS", [])
        principals = [principals] if isinstance(principals, str) else principals
        for p in principals:
            if p == account or p.startswith(f"arn:aws:iam::{account}:"):
                return True
    return False


def assume_role(self):
    role_arn = self._get_param("RoleArn") or ""
    parts = role_arn.split(":")
    name = role_arn.rsplit("/", 1)[-1]
    if len(parts) >= 6 and name.startswith("rcdk-"):
        target = parts[4]
        caller = self.get_current_account()
        roles = iam_backends[target]["aws"].roles.values()
        role = next((r for r in roles if r.name == name), None)
        if role is None or not _trusts(role.assume_role_policy_document, caller):
            raise STSClientError(
                "AccessDenied",
                f"User: arn:aws:iam::{caller}:user/rcdk-test is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            )
    return _original_assume_role(self)


sts_responses.TokenResponse.assume_role = assume_role


# 17. A role's update writes its trust policy and inline policies.
from moto.iam import models as iam_models  # noqa: E402

_original_role_update = iam_models.Role.update_from_cloudformation_json.__func__


def role_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    role = _original_role_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    properties = cloudformation_json.get("Properties", {})
    document = properties.get("AssumeRolePolicyDocument")
    if document is not None:
        role.assume_role_policy_document = document if isinstance(document, str) else json.dumps(document)
    for policy in properties.get("Policies", []):
        role.put_policy(policy["PolicyName"], policy["PolicyDocument"])
    return role


iam_models.Role.update_from_cloudformation_json = classmethod(role_update)


# 18. List parameters are described as written: comma-separated.
def parameter_list(self):
    hidden = self.resource_map.no_echo_parameter_keys
    return [
        {
            "ParameterKey": k,
            "ParameterValue": "****" if k in hidden else (",".join(str(x) for x in v) if isinstance(v, list) else v),
        }
        for k, v in self.resource_map.resolved_parameters.items()
    ]


cfn_models.Stack.parameter_list = property(parameter_list)


# 19. Self-managed StackSet instances are stacks named as CloudFormation names them.
_original_instance_init = cfn_models.StackInstance.__init__


def instance_init(self, account_id, region_name, stackset_id, stack_name, name, template, parameters, permission_model):
    if permission_model != "SELF_MANAGED":
        return _original_instance_init(
            self, account_id, region_name, stackset_id, stack_name, name, template, parameters, permission_model
        )
    self.account_id = account_id
    self.region_name = region_name
    self.stackset_id = stackset_id
    self.stack_name = stack_name
    self.name = name
    self.template = template
    self.parameters = parameters or []
    self.permission_model = permission_model
    if isinstance(parameters, dict):
        values = parameters
    else:
        values = {p["ParameterKey"]: p["ParameterValue"] for p in parameters or []}
    self.stack = cfn_models.cloudformation_backends[account_id][region_name].create_stack(
        name=f"StackSet-{name}-{uuid.uuid4()}", template=template, parameters=values
    )


cfn_models.StackInstance.__init__ = instance_init


# 20. ContinueUpdateRollback, skipping what cannot roll back.
def continue_update_rollback(self):
    backend = self.cloudformation_backend
    stack = backend.get_stack(self._get_param("StackName"))
    if stack.status != "UPDATE_ROLLBACK_FAILED":
        raise ValidationError(
            message=f"Stack {stack.name} is in {stack.status} state and can not continue update rollback"
        )
    skip = set(self._get_param("ResourcesToSkip", []) or [])
    stuck = _stuck.get(stack.stack_id, {})
    stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason="User Initiated")
    still = {n: v for n, v in stuck.items() if n not in skip}
    if still:
        for n, (type_, reason) in still.items():
            _resource_event(stack, n, type_, "UPDATE_FAILED", reason)
        stack._add_stack_event(
            "UPDATE_ROLLBACK_FAILED",
            resource_status_reason=f"The following resource(s) failed to update: [{', '.join(sorted(still))}]. ",
        )
        return ActionResult({})
    for n in sorted(skip):
        type_ = stuck.get(n, ("AWS::CloudFormation::CustomResource", ""))[0]
        _resource_event(stack, n, type_, "UPDATE_COMPLETE", "Resource skipped during UPDATE_ROLLBACK")
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
    stack.status = "UPDATE_ROLLBACK_COMPLETE"
    _stuck.pop(stack.stack_id, None)
    return ActionResult({})


cfn_responses.CloudFormationResponse.continue_update_rollback = continue_update_rollback


# 21. Another client's operation, held for some seconds (a test path, not an action).
import threading  # noqa: E402
from urllib.parse import parse_qs  # noqa: E402

from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.moto_server import werkzeug_app  # noqa: E402

_original_dispatch = werkzeug_app.DomainDispatcherApplication.__call__


def _hold_stack(name, seconds):
    stack = cfn_models.cloudformation_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_stack(name)
    stack.status = "UPDATE_IN_PROGRESS"
    stack._add_stack_event("UPDATE_IN_PROGRESS", resource_status_reason="User Initiated")

    def release():
        stack._add_stack_event("UPDATE_COMPLETE")
        stack.status = "UPDATE_COMPLETE"

    threading.Timer(seconds, release).start()


def dispatch(self, environ, start_response):
    if environ.get("PATH_INFO") == "/rcdk-test/hold-stack":
        query = parse_qs(environ.get("QUERY_STRING", ""))
        _hold_stack(query["stack"][0], float(query.get("seconds", ["3"])[0]))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"held"]
    return _original_dispatch(self, environ, start_response)


werkzeug_app.DomainDispatcherApplication.__call__ = dispatch


# 22. Stack refactoring.
_refactors = {}


def _location(entry, key):
    loc = entry.get(key) or {}
    return loc.get("StackName"), loc.get("LogicalResourceId")


def create_stack_refactor(self):
    backend = self.cloudformation_backend
    mappings = self._get_param("ResourceMappings", []) or []
    definitions = self._get_param("StackDefinitions", []) or []
    status, reason = "CREATE_COMPLETE", None
    for m in mappings:
        (src, src_id), (dst, _) = _location(m, "Source"), _location(m, "Destination")
        try:
            stack = backend.get_stack(src)
            backend.get_stack(dst)
        except Exception:  # noqa: BLE001 - moto raises its own ValidationError
            status, reason = "CREATE_FAILED", f"Stack [{src} or {dst}] does not exist"
            break
        if src_id not in stack.resource_map._resource_json_map:
            status, reason = "CREATE_FAILED", f"Resource [{src_id}] does not exist in stack [{src}]"
            break
    refactor_id = str(uuid.uuid4())
    _refactors[refactor_id] = {
        "mappings": mappings,
        "definitions": definitions,
        "Status": status,
        "StatusReason": reason,
        "ExecutionStatus": "AVAILABLE" if status == "CREATE_COMPLETE" else "UNAVAILABLE",
        "region": self.region,
    }
    return ActionResult({"StackRefactorId": refactor_id})


def describe_stack_refactor(self):
    refactor_id = self._get_param("StackRefactorId")
    r = _refactors.get(refactor_id)
    if r is None:
        raise ValidationError(message=f"Stack refactor {refactor_id} does not exist")
    result = {"StackRefactorId": refactor_id, "Status": r["Status"], "ExecutionStatus": r["ExecutionStatus"]}
    if r["StatusReason"]:
        result["StatusReason"] = r["StatusReason"]
    return ActionResult(result)


def execute_stack_refactor(self):
    backend = self.cloudformation_backend
    r = _refactors.get(self._get_param("StackRefactorId"))
    if r is None or r["ExecutionStatus"] != "AVAILABLE":
        raise ValidationError(message="The stack refactor cannot be executed")
    moved = []
    for m in r["mappings"]:
        (src, src_id), (dst, dst_id) = _location(m, "Source"), _location(m, "Destination")
        source, target = backend.get_stack(src), backend.get_stack(dst)
        resource = source.resource_map._parsed_resources.pop(src_id, None)
        source.resource_map._resource_json_map.pop(src_id, None)
        if resource is not None and hasattr(resource, "logical_resource_id"):
            resource.logical_resource_id = dst_id
        moved.append((target, dst_id, resource))
    for d in r["definitions"]:
        stack = backend.get_stack(d["StackName"])
        stack.template = d["TemplateBody"]
        stack.template_dict = stack.parse_template(stack.template)
        stack.resource_map._template = stack.template_dict
        stack.resource_map._resource_json_map = stack.template_dict.get("Resources", {})
        stack._add_stack_event("UPDATE_COMPLETE", resource_status_reason="Stack refactor")
    for target, dst_id, resource in moved:
        if resource is not None:
            target.resource_map._parsed_resources[dst_id] = resource
    r["ExecutionStatus"] = "EXECUTE_COMPLETE"
    return ActionResult({})


cfn_responses.CloudFormationResponse.create_stack_refactor = create_stack_refactor
cfn_responses.CloudFormationResponse.describe_stack_refactor = describe_stack_refactor
cfn_responses.CloudFormationResponse.execute_stack_refactor = execute_stack_refactor


# 23. Service-managed instances deleted by organizational unit.
_original_delete_instances = cfn_responses.CloudFormationResponse.delete_stack_instances


def delete_stack_instances(self):
    targets = self._get_param("DeploymentTargets", {}) or {}
    units = targets.get("OrganizationalUnitIds") or []
    if not units or self._get_param("Accounts"):
        return _original_delete_instances(self)
    stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    org = stackset.instances.org_backend
    wanted = set(units) | {ou.id for ou in org.ou if ou.parent_id in units}
    accounts = [a.id for a in org.accounts if a.parent_id in wanted]
    stackset = self.cloudformation_backend.delete_stack_instances(
        stackset.name, accounts, self._get_param("Regions", [])
    )
    return ActionResult({"OperationId": stackset.operations[-1]["OperationId"]})


cfn_responses.CloudFormationResponse.delete_stack_instances = delete_stack_instances


# 24. "No changes" compares the parameter values in effect, defaults filled in.
def _effective(stack, parameters):
    declared = (stack.template_dict or {}).get("Parameters") or {}
    values = {k: str(d["Default"]) for k, d in declared.items() if isinstance(d, dict) and "Default" in d}
    values.update({k: str(v) for k, v in (parameters or {}).items()})
    return values


def has_parameters(self, other_parameters):
    self._parse_template()
    return _effective(self, self.parameters) == _effective(self, other_parameters)


cfn_models.Stack.has_parameters = has_parameters

_validate_different_update = cfn_responses.CloudFormationResponse._validate_different_update


def validate_different_update(self, incoming_params, stack_body, old_stack):
    if self._get_action() == "CreateChangeSet":
        return
    _validate_different_update(self, incoming_params, stack_body, old_stack)


cfn_responses.CloudFormationResponse._validate_different_update = validate_different_update

_create_change_set_before_24 = cfn_responses.CloudFormationResponse.create_change_set


def create_change_set_with_previous_inputs(self):
    # UsePreviousValue keeps the value given last (for an SSM-typed parameter, the
    # parameter's name, not what it resolved to; for one never given, its default).
    parameters = self._get_param("Parameters", [])
    stack = next(
        (s for s in self.cloudformation_backend.stacks.values()
         if s.name == self._get_param("StackName") and s.status != "DELETE_COMPLETE"),
        None,
    )
    if stack is not None and any(p.get("UsePreviousValue") for p in parameters):
        stack._parse_template()
        declared = (stack.template_dict or {}).get("Parameters") or {}
        given = stack.parameters or {}
        inputs = []
        for p in parameters:
            key = p.get("ParameterKey")
            previous = given.get(key, (declared.get(key) or {}).get("Default"))
            if p.get("UsePreviousValue") and previous is not None:
                p = {"ParameterKey": key, "ParameterValue": str(previous)}
            inputs.append(p)
        get_param = self._get_param
        self._get_param = lambda name, if_none=None: (
            inputs if name == "Parameters" else get_param(name, if_none)
        )
    return _create_change_set_before_24(self)


cfn_responses.CloudFormationResponse.create_change_set = create_change_set_with_previous_inputs


# 25. IMPORT change sets adopt existing resources.
_pending_imports = {}


def _existing(account_id, region, resource_type, identifier):
    from moto.logs.models import logs_backends
    from moto.s3.models import s3_backends
    from moto.sns.models import sns_backends
    from moto.sqs.models import sqs_backends

    if resource_type == "AWS::S3::Bucket":
        partition = "aws-cn" if region.startswith("cn-") else "aws"
        return s3_backends[account_id][partition].buckets.get(identifier.get("BucketName"))
    if resource_type == "AWS::SQS::Queue":
        name = (identifier.get("QueueUrl") or "").rstrip("/").rsplit("/", 1)[-1]
        return sqs_backends[account_id][region].queues.get(name)
    if resource_type == "AWS::SNS::Topic":
        return sns_backends[account_id][region].topics.get(identifier.get("TopicArn"))
    if resource_type == "AWS::Logs::LogGroup":
        return logs_backends[account_id][region].groups.get(identifier.get("LogGroupName"))
    raise ValidationError(
        message=f"the local endpoint cannot import {resource_type} (it imports buckets, queues, topics and log groups)"
    )


_create_change_set_before_25 = cfn_responses.CloudFormationResponse.create_change_set


def create_change_set_import(self):
    if self._get_param("ChangeSetType") != "IMPORT":
        return _create_change_set_before_25(self)
    name = self._get_param("StackName")
    stack = next(
        (s for s in self.cloudformation_backend.stacks.values()
         if s.name == name and s.status != "DELETE_COMPLETE"),
        None,
    )
    template = cfn_models.Stack.parse_template(self._get_param("TemplateBody") or "{}")
    resources = template.get("Resources") or {}
    found = {}
    for r in self._get_param("ResourcesToImport", []):
        logical_id, resource_type = r.get("LogicalResourceId"), r.get("ResourceType")
        identifier = r.get("ResourceIdentifier") or {}
        definition = resources.get(logical_id)
        if not definition or definition.get("Type") != resource_type:
            raise ValidationError(message=f"{logical_id} of type {resource_type} is not in the template")
        if "DeletionPolicy" not in definition:
            raise ValidationError(
                message=f"The following resource(s) to import [{logical_id}] must have DeletionPolicy attribute specified in the template."
            )
        existing = _existing(self.current_account, self.region, resource_type, identifier)
        if existing is None:
            raise ValidationError(message=f"Resource of type '{resource_type}' with identifier '{identifier}' does not exist.")
        found[logical_id] = (resource_type, existing)
    deployed = set()
    if stack is not None and stack.status != "REVIEW_IN_PROGRESS":
        stack._parse_template()
        deployed = set((stack.template_dict or {}).get("Resources") or {})
    others = set(resources) - deployed - set(found)
    if others:
        raise ValidationError(
            message=f"There are no changes other than the import of resources allowed; remove {sorted(others)} from the template"
        )
    change_type = "UPDATE" if deployed else "CREATE"
    get_param = self._get_param
    self._get_param = lambda key, if_none=None: (
        change_type if key == "ChangeSetType" else get_param(key, if_none)
    )
    result = _create_change_set_before_25(self)
    change_set = self.cloudformation_backend.change_sets.get(result.result["Id"])
    if change_set is not None:
        _pending_imports[change_set.change_set_id] = found
        for change in change_set.changes:
            if change.logical_resource_id in found:
                change.action = "Import"
    return result


cfn_responses.CloudFormationResponse.create_change_set = create_change_set_import

_execute_before_25 = cfn_models.CloudFormationBackend.execute_change_set


def execute_change_set_import(self, change_set_name, stack_name=None):
    change_set = _find_change_set(self, change_set_name)
    found = _pending_imports.pop(change_set.change_set_id, None) if change_set is not None else None
    if not found:
        return _execute_before_25(self, change_set_name, stack_name)
    stack = change_set.stack
    stack._add_stack_event("IMPORT_IN_PROGRESS", resource_status_reason="User Initiated")
    for logical_id, (resource_type, existing) in found.items():
        stack.resource_map._parsed_resources[logical_id] = existing
        _resource_event(stack, logical_id, resource_type, "IMPORT_IN_PROGRESS")
    _execute_before_25(self, change_set_name, stack_name)
    for logical_id, (resource_type, _) in found.items():
        _resource_event(stack, logical_id, resource_type, "IMPORT_COMPLETE")
    stack._add_stack_event("IMPORT_COMPLETE")
    stack.status = "IMPORT_COMPLETE"


cfn_models.CloudFormationBackend.execute_change_set = execute_change_set_import


# The model list is cached from its first use (by the patches above); add these two.
for _cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
    _cached.cache_clear()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print(f"moto listening on 127.0.0.1:{port}", flush=True)
    try:
        server._thread.join()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
