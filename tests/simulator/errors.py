# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The error catalogue of the simulator: every code it answers with, its HTTP status and message.

Codes and messages of the API gateway and of SGW are those of the public error code lists
(https://help.aliyun.com/zh/csg/developer-reference/api-sgw-2018-05-11-errorcodes and the pages of
each action, https://help.aliyun.com/zh/csg/developer-reference/api-sgw-2018-05-11-<action>). The
few codes SGW does not document (a share that is missing, on another bucket or in another
group, a group that already exists) are marked as the simulator's own choice.
"""

from __future__ import annotations

TROUBLESHOOT_URL = "https://api.aliyun.com/troubleshoot?q={code}&product=sgw"

CATALOGUE = {
    # API gateway: authentication and request checks.
    "InvalidAccessKeyId.NotFound": (404, "Specified access key is not found."),
    "SignatureDoesNotMatch": (400, "Specified signature is not matched with our calculation."),
    "IncompleteSignature": (400, "The request signature does not conform to Aliyun standards."),
    "InvalidTimeStamp.Expired": (400, "Specified time stamp or date value is expired."),
    "InvalidTimeStamp.Format": (400, "Specified time stamp or date value is not well formatted."),
    "SignatureNonceUsed": (400, "Specified signature nonce was used already."),
    "MissingSecurityToken": (400, "SecurityToken is mandatory for this access key."),
    "InvalidSecurityToken.Mismatch": (403, "Specified SecurityToken mismatch with the AccessKey."),
    "InvalidSecurityToken.Expired": (400, "Specified SecurityToken is expired."),
    # STS (the simulator serves AssumeRole and AssumeRoleWithOIDC too).
    "NoPermission": (403, "You are not authorized to do this action. You should be authorized by RAM."),
    "EntityNotExist.Role": (404, "The role not exists."),
    "InvalidParameter.RoleArn": (400, "The parameter RoleArn is wrongly formed."),
    "InvalidParameter.DurationSeconds": (400, "The DurationSeconds is out of range."),
    "InvalidParameter.OIDCToken": (400, "The OIDCToken is invalid."),
    "AuthenticationFail.NoPermission": (403, "The role does not trust this OIDC provider."),
    # Resource Manager (ListAccounts of the resource directory).
    "EntityNotExists.ResourceDirectory": (404, "The resource directory does not exist."),
    "Forbidden.RAM": (403, "User not authorized to operate on the specified resource, or this API doesn't support RAM."),
    "InvalidVersion": (400, "Specified parameter Version is not valid."),
    "InvalidAction.NotFound": (404, "Specified api is not found, please check your url and method."),
    "MissingParameter": (400, "A parameter that is mandatory for processing this request is not supplied."),
    "InvalidParameter": (400, "A parameter of the request is not valid."),
    "Throttling.User": (400, "Request was denied due to user flow control."),
    "ServiceUnavailable": (503, "The request has failed due to a temporary failure of the server."),
    "InternalError": (500, "The request processing has failed due to some unknown error, exception or failure."),
    # SGW, documented.
    "BadRequest": (400, "Invalid request. You must specify valid parameters in the request."),
    "BadPageNumber": (400, "The specified page number is invalid. The page number must be greater than 0."),
    "BadPageSize": (400, "The specified number of pages is invalid. The number ranges from 1 to 50."),
    "EmptyExpressSyncId": (400, "You must specify a valid ID for the sync group."),
    "ExpressSyncNotExist": (400, "The specified sync group does not exist. You must specify a valid parameter."),
    "ExpressSyncInOperation": (400, "The sync group is busy. Try again later."),
    "EmptyGatewayId": (400, "You must enter a valid ID for the gateway."),
    "GatewayNotExist": (400, "The specified gateway does not exist. You must specify a valid parameter."),
    "EmptyStorageBundleId": (400, "You must enter a valid ID for the gateway cluster."),
    "StorageBundleNotExist": (404, "The name you specified for the gateway cluster does not exist. "
                                   "You must specify a valid parameter."),
    # SGW, the simulator's own choice (not documented).
    "EmptyExpressSyncName": (400, "You must specify a valid name for the sync group."),
    "ExpressSyncAlreadyExist": (400, "A sync group for the specified bucket and prefix already exists."),
    "ShareNotExist": (400, "The specified share does not exist on the gateway. You must specify a valid parameter."),
    "ShareBucketMismatch": (400, "The share is not connected to the bucket of the sync group."),
    "ShareAlreadyInExpressSync": (400, "The share has already been added to another sync group."),
    "ShareNotInExpressSync": (400, "The share is not in the specified sync group."),
}


class ApiError(Exception):
    """An error answer of the API: a catalogue code, its status, and a message.

    ``message`` replaces the catalogue message when the answer needs details (which parameter,
    the server's string to sign). ``headers`` are extra response headers (``x-acs-retry-after``).
    """

    def __init__(self, code: str, message: str | None = None, headers: dict | None = None):
        status, default = CATALOGUE[code]
        super().__init__(message or default)
        self.code = code
        self.status = status
        self.message = message or default
        self.headers = headers or {}

    @classmethod
    def about(cls, code: str, subject: str) -> ApiError:
        """The catalogue message of ``code``, naming what it is about."""
        return cls(code, f"{CATALOGUE[code][1]} ({subject})")


def missing(name: str) -> ApiError:
    return ApiError("MissingParameter", f'The input parameter "{name}" that is mandatory for processing this request is not supplied.')


def invalid(name: str, reason: str) -> ApiError:
    return ApiError("InvalidParameter", f'The specified parameter "{name}" is not valid: {reason}.')


def error_body(error: ApiError, request_id: str, host: str) -> dict:
    """The JSON body of an error answer, as the API gateway sends it."""
    return {
        "RequestId": request_id,
        "HostId": host,
        "Code": error.code,
        "Message": error.message,
        "Recommend": TROUBLESHOOT_URL.format(code=error.code),
    }
