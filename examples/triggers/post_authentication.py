"""PostAuthentication: an audit line per passed sign-in (to the log, as
CloudWatch would keep it). Raising here would refuse the sign-in. The same
file runs on AWS Lambda."""


def handler(event, context):
    device = "a new device" if event["request"].get("newDeviceUsed") else "a known device"
    print(f"sign-in: {event['userName']} on {event['callerContext']['clientId']} from {device}")
    return event
