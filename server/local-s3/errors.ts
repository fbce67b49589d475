/** An S3 error as the S3 REST API reports it: HTTP status, code and message, plus extra XML fields. */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = "S3Error";
  }
}

export const errors = {
  accessDenied: (message = "Access Denied") => new S3Error(403, "AccessDenied", message),
  expired: (expires: Date, now: Date) =>
    new S3Error(403, "AccessDenied", "Request has expired", {
      Expires: expires.toISOString(),
      ServerTime: now.toISOString(),
    }),
  signatureMismatch: (extra: Record<string, string> = {}) =>
    new S3Error(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      extra,
    ),
  invalidAccessKeyId: (id: string) =>
    new S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
      AWSAccessKeyId: id,
    }),
  timeSkewed: () =>
    new S3Error(
      403,
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
    ),
  noSuchBucket: (bucket: string) =>
    new S3Error(404, "NoSuchBucket", "The specified bucket does not exist", { BucketName: bucket }),
  noSuchKey: (key: string) => new S3Error(404, "NoSuchKey", "The specified key does not exist.", { Key: key }),
  noSuchUpload: (uploadId: string) =>
    new S3Error(
      404,
      "NoSuchUpload",
      "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
      { UploadId: uploadId },
    ),
  noSuchCors: (bucket: string) =>
    new S3Error(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist", { BucketName: bucket }),
  invalidArgument: (message: string, name?: string, value?: string) =>
    new S3Error(
      400,
      "InvalidArgument",
      message,
      name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? "" },
    ),
  invalidRequest: (message: string) => new S3Error(400, "InvalidRequest", message),
  malformedXml: () =>
    new S3Error(
      400,
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
    ),
  badDigest: (what: string) =>
    new S3Error(400, "BadDigest", `The ${what} you specified did not match the calculated checksum.`),
  invalidDigest: (what: string) => new S3Error(400, "InvalidDigest", `The ${what} you specified was invalid.`),
  sha256Mismatch: (client: string, server: string) =>
    new S3Error(
      400,
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      {
        ClientComputedContentSHA256: client,
        S3ComputedContentSHA256: server,
      },
    ),
  incompleteBody: () =>
    new S3Error(
      400,
      "IncompleteBody",
      "You did not provide the number of bytes specified by the Content-Length HTTP header",
    ),
  entityTooLarge: (max: number) =>
    new S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {
      MaxSizeAllowed: max,
    }),
  entityTooSmall: (partNumber: number, size: number, min: number) =>
    new S3Error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", {
      ProposedSize: size,
      MinSizeAllowed: min,
      PartNumber: partNumber,
    }),
  invalidPart: (partNumber: number) =>
    new S3Error(
      400,
      "InvalidPart",
      "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      { PartNumber: partNumber },
    ),
  invalidPartOrder: () =>
    new S3Error(
      400,
      "InvalidPartOrder",
      "The list of parts was not in ascending order. Parts must be ordered by part number.",
    ),
  invalidRange: (size: number) =>
    new S3Error(416, "InvalidRange", "The requested range is not satisfiable", { ActualObjectSize: size }),
  invalidPartNumber: () => new S3Error(416, "InvalidPartNumber", "The requested partnumber is not satisfiable"),
  invalidBucketName: (bucket: string) =>
    new S3Error(400, "InvalidBucketName", "The specified bucket is not valid.", { BucketName: bucket }),
  bucketExists: (bucket: string) =>
    new S3Error(
      409,
      "BucketAlreadyOwnedByYou",
      "Your previous request to create the named bucket succeeded and you already own it.",
      { BucketName: bucket },
    ),
  bucketNotEmpty: (bucket: string) =>
    new S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", { BucketName: bucket }),
  corsForbidden: () =>
    new S3Error(
      403,
      "AccessForbidden",
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
    ),
  notImplemented: (what: string) =>
    new S3Error(
      501,
      "NotImplemented",
      `A header or query you provided requested a function that is not implemented: ${what}`,
    ),
  /** What S3 answers when a bucket has never had the named configuration. */
  notConfigured: (code: string, message: string, bucket: string) =>
    new S3Error(404, code, message, { BucketName: bucket }),
  methodNotAllowed: () =>
    new S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource."),
  preconditionFailed: () =>
    new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"),
  internal: () => new S3Error(500, "InternalError", "We encountered an internal error. Please try again."),
};
