"""Writes the offer-file fixtures: AWS Price List bulk offers cut to a few products, in
the files' own layout (products before terms, OnDemand before Reserved, SKU-keyed terms,
prices as decimal strings). Run again after editing; the files are committed."""
import json, os

RESERVED = {  # term code: (length, purchase option, class)
    "4NA7Y494T4": ("1yr", "No Upfront", "standard"),
    "HU7G6KETJZ": ("1yr", "Partial Upfront", "standard"),
    "6QCMYABX3D": ("1yr", "All Upfront", "standard"),
    "NQ3QZPMQV9": ("3yr", "All Upfront", "standard"),
    "CUZHX8X6JH": ("1yr", "No Upfront", "convertible"),
}

def offer(code, region, location, products, published):
    out = {"formatVersion": "v1.0", "disclaimer": "This pricing list is for informational purposes only.",
           "offerCode": code, "version": published.replace("-", "") + "000000",
           "publicationDate": published + "T00:00:00Z", "products": {}, "terms": {"OnDemand": {}, "Reserved": {}}}
    for sku, family, attrs, hourly, reserved in products:
        attrs = dict(attrs, servicecode=code, location=attrs.get("location", location),
                     locationType=attrs.get("locationType", "AWS Region"), regionCode=region)
        out["products"][sku] = {"sku": sku, "productFamily": family, "attributes": attrs}
        unit = "Hrs" if family != "Database Storage" else "GB-Mo"
        out["terms"]["OnDemand"][sku] = {f"{sku}.JRTCKXETXF": {
            "offerTermCode": "JRTCKXETXF", "sku": sku, "effectiveDate": published + "T00:00:00Z",
            "priceDimensions": {f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                "rateCode": f"{sku}.JRTCKXETXF.6YS6EN2CT7", "description": f"${hourly} per unit",
                "beginRange": "0", "endRange": "Inf", "unit": unit, "pricePerUnit": {"USD": f"{hourly:.10f}"},
                "appliesTo": []}},
            "termAttributes": {}}}
        if reserved:
            terms = {}
            for code_, (upfront, rate) in reserved.items():
                length, option, klass = RESERVED[code_]
                dims = {f"{sku}.{code_}.6YS6EN2CT7": {
                    "rateCode": f"{sku}.{code_}.6YS6EN2CT7", "description": "per hour", "beginRange": "0",
                    "endRange": "Inf", "unit": "Hrs", "pricePerUnit": {"USD": f"{rate:.10f}"}, "appliesTo": []}}
                if upfront:
                    dims[f"{sku}.{code_}.2TG2D8R56U"] = {
                        "rateCode": f"{sku}.{code_}.2TG2D8R56U", "description": "Upfront Fee", "unit": "Quantity",
                        "pricePerUnit": {"USD": f"{upfront:.0f}"}, "appliesTo": []}
                terms[f"{sku}.{code_}"] = {"offerTermCode": code_, "sku": sku,
                    "effectiveDate": published + "T00:00:00Z", "priceDimensions": dims,
                    "termAttributes": {"LeaseContractLength": length, "OfferingClass": klass, "PurchaseOption": option}}
            out["terms"]["Reserved"][sku] = terms
    return out

def rds(instance, engine, deployment, **extra):
    usage = ("Multi-AZUsage:" if deployment.startswith("Multi") else "InstanceUsage:") + instance
    return dict({"instanceType": instance, "databaseEngine": engine, "deploymentOption": deployment,
                 "licenseModel": "No license required", "usagetype": usage, "operation": "CreateDBInstance:0014",
                 "instanceFamily": "Memory optimized"}, **extra)

def write(code, region, doc):
    os.makedirs(f"{code}/{region}", exist_ok=True)
    with open(f"{code}/{region}/index.json", "w") as f:
        json.dump(doc, f, indent=2, separators=(",", " : "))
        f.write("\n")

R7G_RESERVED = {"4NA7Y494T4": (0, 0.165), "HU7G6KETJZ": (700, 0.080), "6QCMYABX3D": (1380, 0.0),
                "NQ3QZPMQV9": (2900, 0.0), "CUZHX8X6JH": (0, 0.190)}
R7G_MULTI_RESERVED = {"4NA7Y494T4": (0, 0.330), "6QCMYABX3D": (2760, 0.0), "NQ3QZPMQV9": (5800, 0.0)}
for region, location, r7g in [("us-east-1", "US East (N. Virginia)", 0.241), ("us-west-2", "US West (Oregon)", 0.239)]:
    write("AmazonRDS", region, offer("AmazonRDS", region, location, [
        ("2YS8W7NR5VNH4GXA", "Database Instance", rds("db.r7g.large", "PostgreSQL", "Single-AZ"), r7g, R7G_RESERVED),
        ("B7K3QV8F2EJ6M9RT", "Database Instance", rds("db.r7g.large", "PostgreSQL", "Multi-AZ"), 0.478, R7G_MULTI_RESERVED),
        # Another engine, a Multi-AZ DB cluster deployment, an Outpost: none is priced.
        ("C4H9WQ2M7XJ3K8PD", "Database Instance", rds("db.r7g.large", "MySQL", "Single-AZ"), 0.215, None),
        ("D8J2XR5N3VK7Q4MT", "Database Instance", rds("db.r7g.large", "PostgreSQL", "Multi-AZ (readable standbys)"), 0.521, None),
        ("E3K7YT9P4WL2R6NF", "Database Instance", rds("db.r7g.large", "PostgreSQL", "Single-AZ", locationType="AWS Outposts", location="US East (N. Virginia) Outposts"), 0.301, None),
        # A class the transcribed table lacks, and one it has at the same price.
        ("F6M4ZU2Q8XN5T3HG", "Database Instance", rds("db.m8g.xlarge", "PostgreSQL", "Single-AZ"), 0.354, None),
        ("G9N6AV3R5YP8U2JK", "Database Instance", rds("db.t4g.micro", "PostgreSQL", "Single-AZ", instanceFamily="General purpose"), 0.016, None),
        ("H2P8BW6S4ZQ3V7LM", "Database Storage", {"volumeType": "General Purpose-GP3", "usagetype": "RDS:GP3-Storage", "databaseEngine": "PostgreSQL", "deploymentOption": "Single-AZ"}, 0.115, None),
    ], "2026-11-28"))
    write("AmazonElastiCache", region, offer("AmazonElastiCache", region, location, [
        ("J5Q3CX8T6AR4W9NP", "Cache Instance", {"instanceType": "cache.r7g.large", "cacheEngine": "Redis", "usagetype": "NodeUsage:cache.r7g.large"}, 0.219,
         {"4NA7Y494T4": (0, 0.142), "6QCMYABX3D": (1190, 0.0), "NQ3QZPMQV9": (2480, 0.0)}),
        ("K8R5DY2U9BS6X3QT", "Cache Instance", {"instanceType": "cache.t4g.micro", "cacheEngine": "Redis", "usagetype": "NodeUsage:cache.t4g.micro"}, 0.016, None),
        ("L3S9EZ6V2CT8Y5RW", "Cache Instance", {"instanceType": "cache.t4g.micro", "cacheEngine": "Valkey", "usagetype": "NodeUsage:cache.t4g.micro"}, 0.0128, None),
    ], "2026-11-26"))

# Fargate (AmazonECS) and the Application Load Balancer (AWSELB). Usage types carry the
# region's prefix, except ELB's in us-east-1.
for region, location, prefix, elb_prefix in [("us-east-1", "US East (N. Virginia)", "USE1-", ""),
                                             ("us-west-2", "US West (Oregon)", "USW2-", "USW2-")]:
    def fargate(usage, arch, os_="Linux", **extra):
        return dict({"usagetype": prefix + usage, "operation": "", "cpuArchitecture": arch,
                     "operatingSystem": os_, "tenancy": "Shared"}, **extra)
    write("AmazonECS", region, offer("AmazonECS", region, location, [
        ("M4T8FB3W6DU9Z2XS", "Compute", fargate("Fargate-vCPU-Hours:perCPU", "x86_64", cputype="perCPU"), 0.04048, None),
        ("N7V2GC5X8EV3A6YT", "Compute", fargate("Fargate-GB-Hours", "x86_64", memorytype="perGB"), 0.004445, None),
        ("P2W6HD8Y3FW7B9ZU", "Compute", fargate("Fargate-ARM-vCPU-Hours:perCPU", "ARM", cputype="perCPU"), 0.03238, None),
        ("Q5X9JE2Z6GX3C4AV", "Compute", fargate("Fargate-ARM-GB-Hours", "ARM", memorytype="perGB"), 0.00356, None),
        # Windows, and ephemeral storage: not priced.
        ("R8Y3KF5A9HY6D7BW", "Compute", fargate("Fargate-Windows-vCPU-Hours:perCPU", "x86_64", os_="Windows", cputype="perCPU"), 0.046552, None),
        ("S3Z7LG8B2JZ9E5CX", "Compute", fargate("Fargate-EphemeralStorage-GB-Hours", "x86_64"), 0.000111, None),
    ], "2026-11-29"))
    write("AWSELB", region, offer("AWSELB", region, location, [
        ("T6A2MH4C5KA3F8DY", "Load Balancer-Application", {"usagetype": elb_prefix + "LoadBalancerUsage", "operation": "LoadBalancing:Application"}, 0.0225, None),
        ("U9B5NJ7D8LB6G2EZ", "Load Balancer-Application", {"usagetype": elb_prefix + "LCUUsage", "operation": "LoadBalancing:Application"}, 0.008, None),
        # A Network Load Balancer's hour: another family, not the ALB's.
        ("V4C8PK2E3MC9H5FA", "Load Balancer-Network", {"usagetype": elb_prefix + "LoadBalancerUsage", "operation": "LoadBalancing:Network"}, 0.0225, None),
    ], "2026-11-29"))

# Compute Savings Plans, in the layout of .../savingsPlan/v1.0/aws/AWSComputeSavingsPlan/
# <version>/<region>/index.json: the plans as products (purchase option and term), then
# terms.savingsPlan, each plan's rates by discounted usage type and operation.
PLANS = {  # plan SKU: (years, purchase option)
    "3NV2AR6YPDC4Q8WB": (1, "No Upfront"),
    "7HW8ZK2MS5TX9EJC": (1, "All Upfront"),
    "9QD4YB6RF3NU2LGK": (3, "No Upfront"),
}
def savings_plans(region, prefix, published, rates):
    # rates: (usage type, operation, service, {plan SKU: price})
    out = {"version": published.replace("-", "") + "000000", "publicationDate": published + "T00:00:00Z",
           "regionCode": region, "products": [], "terms": {"savingsPlan": []}}
    for sku, (years, option) in PLANS.items():
        term = "1yr" if years == 1 else "3yr"
        out["products"].append({"sku": sku, "productFamily": "ComputeSavingsPlans", "serviceCode": "ComputeSavingsPlans",
            "usageType": f"ComputeSP:{term}{option.replace(' ', '')}", "operation": "",
            "attributes": {"purchaseOption": option, "granularity": "hourly", "instanceType": "", "purchaseTerm": term,
                           "locationType": "AWS Region", "location": "Any"}})
        plan_rates = []
        for n, (usage, operation, service, prices) in enumerate(rates):
            if sku not in prices:
                continue
            usage = usage.replace("PREFIX-", prefix)
            plan_rates.append({"discountedSku": f"DSKU{n:012d}", "discountedUsageType": usage,
                "discountedOperation": operation, "discountedServiceCode": service,
                "rateCode": f"{sku}.D", "unit": "Hrs" if "Hours" in usage or "Box" in usage else "Lambda-GB-Second",
                "discountedRate": {"price": f"{prices[sku]:.8f}".rstrip("0"), "currency": "USD"}})
        out["terms"]["savingsPlan"].append({"sku": sku, "description": f"{years} year {option} Compute Savings Plan",
            "effectiveDate": published + "T00:00:00Z", "leaseContractLength": {"duration": years, "unit": "year"},
            "rates": plan_rates})
    return out

SP_RATES = [
    ("PREFIX-Fargate-vCPU-Hours:perCPU", "", "AmazonECS", {"3NV2AR6YPDC4Q8WB": 0.032384, "7HW8ZK2MS5TX9EJC": 0.030766, "9QD4YB6RF3NU2LGK": 0.020645}),
    ("PREFIX-Fargate-GB-Hours", "", "AmazonECS", {"3NV2AR6YPDC4Q8WB": 0.003556, "7HW8ZK2MS5TX9EJC": 0.003378, "9QD4YB6RF3NU2LGK": 0.002267}),
    ("PREFIX-Fargate-ARM-vCPU-Hours:perCPU", "", "AmazonECS", {"3NV2AR6YPDC4Q8WB": 0.025904, "9QD4YB6RF3NU2LGK": 0.016514}),
    ("PREFIX-Fargate-ARM-GB-Hours", "", "AmazonECS", {"3NV2AR6YPDC4Q8WB": 0.002848, "9QD4YB6RF3NU2LGK": 0.001816}),
    ("EC2PREFIX-BoxUsage:m7g.large", "RunInstances", "AmazonEC2", {"3NV2AR6YPDC4Q8WB": 0.0634, "7HW8ZK2MS5TX9EJC": 0.0603, "9QD4YB6RF3NU2LGK": 0.0435}),
    # Windows on the same type, dedicated tenancy, and Lambda: none is priced.
    ("EC2PREFIX-BoxUsage:m7g.large", "RunInstances:0002", "AmazonEC2", {"3NV2AR6YPDC4Q8WB": 0.1370}),
    ("PREFIX-DedicatedUsage:m7g.large", "RunInstances", "AmazonEC2", {"3NV2AR6YPDC4Q8WB": 0.0697}),
    ("PREFIX-Lambda-GB-Second", "Invoke", "AWSLambda", {"3NV2AR6YPDC4Q8WB": 0.0000141667}),
]
for region, prefix, ec2_prefix in [("us-east-1", "USE1-", ""), ("us-west-2", "USW2-", "USW2-")]:
    rates = [(u.replace("EC2PREFIX-", ec2_prefix), o, s, p) for u, o, s, p in SP_RATES]
    write("AWSComputeSavingsPlan", region, savings_plans(region, prefix, "2026-11-30", rates))
with open("AWSComputeSavingsPlan/region_index.json", "w") as f:
    json.dump({"disclaimer": "This pricing list is for informational purposes only.", "publicationDate": "2026-11-30T00:00:00Z",
               "regions": [{"regionCode": r, "versionUrl": f"/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20261130000000/{r}/index.json"}
                           for r in ["us-east-1", "us-west-2"]]}, f, indent=2, separators=(",", " : "))
    f.write("\n")
