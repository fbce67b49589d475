import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { verifySignature, type ChunkSigner } from "../../../server/local-s3/auth.js";
import { AwsChunkedDecoder } from "../../../server/local-s3/body.js";
import { evaluateConditions } from "../../../server/local-s3/conditions.js";
import { matchCorsRule } from "../../../server/local-s3/cors.js";
import { FaultConfigError, parseFaultConfig, parseFaultConfigJson } from "../../../server/local-s3/fault-rules.js";
import { FaultInjector } from "../../../server/local-s3/faults.js";
import { asUtf8, decodeEncodedWords, mailSafe } from "../../../server/local-s3/header-text.js";
import { parseRange } from "../../../server/local-s3/handlers/objects.js";
import { listKeys } from "../../../server/local-s3/listing.js";
import { resolveOperation } from "../../../server/local-s3/router.js";
import type { ObjectMeta } from "../../../server/local-s3/records.js";

async function decode(
  pieces: Array<string | Buffer>,
  signer?: ChunkSigner,
): Promise<{ data: string; trailers: Map<string, string> }> {
  const decoder = new AwsChunkedDecoder(signer);
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces.map((p) => (typeof p === "string" ? Buffer.from(p) : p))),
    decoder,
    new Writable({
      write(chunk: Buffer, _e, cb) {
        out.push(chunk);
        cb();
      },
    }),
  );
  return { data: Buffer.concat(out).toString(), trailers: decoder.trailers };
}

describe("aws-chunked decoder", () => {
  it("decodes chunks split at arbitrary points and collects trailers", async () => {
    const framed = "5\r\nhello\r\n6;chunk-signature=abc\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
    for (const size of [1, 3, 7, framed.length]) {
      const pieces = framed.match(new RegExp(`[\\s\\S]{1,${size}}`, "g"))!;
      const { data, trailers } = await decode(pieces);
      expect(data).toBe("hello world");
      expect(trailers.get("x-amz-checksum-crc32")).toBe("AAAAAA==");
    }
  });

  // AWS's published example of a signed streaming PUT ("Transferring payload in multiple chunks"):
  // 66560 bytes of "a" as chunks of 65536, 1024 and 0 bytes, with the signatures AWS documents.
  describe("with chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)", () => {
    const seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    const chunkSignatures = [
      "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
      "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
      "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ];
    const example = (signatures = chunkSignatures, tamper = false) => {
      const chunk = (size: number, signature: string) => {
        const data = Buffer.alloc(size, "a");
        if (tamper && size === 1024) data[10] = 0x62;
        return Buffer.concat([
          Buffer.from(`${size.toString(16)};chunk-signature=${signature}\r\n`),
          data,
          Buffer.from("\r\n"),
        ]);
      };
      return Buffer.concat([chunk(65536, signatures[0]!), chunk(1024, signatures[1]!), chunk(0, signatures[2]!)]);
    };
    const signer = async () => {
      const auth = await verifySignature(
        {
          method: "PUT",
          rawPath: "/examplebucket/chunkObject.txt",
          query: [],
          headers: {
            host: "s3.amazonaws.com",
            "x-amz-date": "20130524T000000Z",
            "x-amz-storage-class": "REDUCED_REDUNDANCY",
            "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "content-encoding": "aws-chunked",
            "x-amz-decoded-content-length": "66560",
            "content-length": "66824",
            authorization:
              "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
              "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class," +
              `Signature=${seed}`,
          },
        },
        { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
        new Date("2013-05-24T00:00:00Z"),
      );
      return auth.chunkSigner!;
    };

    it("accepts AWS's example, however the body is split", async () => {
      const body = example();
      expect(body.length).toBe(66824);
      for (const size of [1000, 65536 + 90, body.length]) {
        const pieces = [];
        for (let i = 0; i < body.length; i += size) pieces.push(body.subarray(i, i + size));
        const { data } = await decode(pieces, await signer());
        expect(data).toBe("a".repeat(66560));
      }
    });

    // The trailer vector of AWS's common runtime (aws-c-auth, as its Swift binding tests it): the same
    // request with trailing headers first:1st, second:2nd, third:3rd signed after the final chunk.
    it("checks the signature of trailing headers, chained from the final chunk", async () => {
      const trailerSignature = "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c";
      const withTrailers = (signature: string, third = "3rd") =>
        Buffer.concat([
          example().subarray(0, -2),
          Buffer.from(`first:1st\r\nsecond:2nd\r\nthird:${third}\r\nx-amz-trailer-signature:${signature}\r\n\r\n`),
        ]);
      const { data, trailers } = await decode([withTrailers(trailerSignature)], await signer());
      expect(data.length).toBe(66560);
      expect(trailers.get("second")).toBe("2nd");
      const mismatch = { code: "SignatureDoesNotMatch", status: 403 };
      await expect(decode([withTrailers(trailerSignature, "4th")], await signer())).rejects.toMatchObject(mismatch);
      const unsigned = Buffer.concat([example().subarray(0, -2), Buffer.from("first:1st\r\n\r\n")]);
      await expect(decode([unsigned], await signer())).rejects.toMatchObject(mismatch);
    });

    it("refuses changed data, a wrong or missing chunk signature, and chunks out of their chain", async () => {
      const mismatch = { code: "SignatureDoesNotMatch", status: 403 };
      await expect(decode([example(chunkSignatures, true)], await signer())).rejects.toMatchObject(mismatch);
      const wrongLast = [...chunkSignatures.slice(0, 2), "0".repeat(64)];
      await expect(decode([example(wrongLast)], await signer())).rejects.toMatchObject(mismatch);
      // The second chunk's signature is valid only after the first: sending it first breaks the chain.
      const swapped = [chunkSignatures[1]!, chunkSignatures[0]!, chunkSignatures[2]!];
      await expect(decode([example(swapped)], await signer())).rejects.toMatchObject(mismatch);
      await expect(decode(["5\r\nhello\r\n0\r\n\r\n"], await signer())).rejects.toMatchObject(mismatch);
    });
  });

  it("refuses a body that ends early or is framed wrongly", async () => {
    await expect(decode(["5\r\nhel"])).rejects.toMatchObject({ code: "IncompleteBody" });
    await expect(decode(["zz\r\nhello\r\n"])).rejects.toMatchObject({ code: "InvalidRequest" });
    await expect(decode(["5\r\nhelloXX0\r\n\r\n"])).rejects.toMatchObject({ code: "InvalidRequest" });
  });
});

describe("ranges", () => {
  it("parses the single-range forms S3 supports", () => {
    expect(parseRange("bytes=0-9", 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=90-", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=-10", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=50-500", 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange("bytes=100-", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=5-1", 100)).toBeUndefined();
    expect(parseRange("bytes=0-1,5-6", 100)).toBeUndefined();
    expect(parseRange(undefined, 100)).toBeUndefined();
  });
});

describe("listing", () => {
  const keys = ["a", "b/1", "b/2", "c"];
  it("rolls up common prefixes and counts them against max-keys", () => {
    const page = listKeys(keys, { prefix: "", delimiter: "/", after: "", maxKeys: 2 });
    expect(page.entries).toEqual([
      { type: "key", key: "a" },
      { type: "prefix", prefix: "b/" },
    ]);
    expect(page.isTruncated).toBe(true);
    const next = listKeys(keys, { prefix: "", delimiter: "/", after: page.last!, maxKeys: 2 });
    expect(next.entries).toEqual([{ type: "key", key: "c" }]);
    expect(next.isTruncated).toBe(false);
  });
});

describe("CORS matching", () => {
  const rules = [
    {
      allowedOrigins: ["https://*.example.com"],
      allowedMethods: ["PUT"],
      allowedHeaders: ["x-amz-*"],
      exposeHeaders: [],
    },
  ];
  it("matches one wildcard in origins and headers, case-insensitively for headers", () => {
    expect(matchCorsRule(rules, "https://a.example.com", "PUT", ["X-Amz-Checksum-Sha256"])).toBe(rules[0]);
    expect(matchCorsRule(rules, "https://a.example.org", "PUT")).toBeUndefined();
    expect(matchCorsRule(rules, "https://a.example.com", "PUT", ["content-type"])).toBeUndefined();
  });
});

describe("conditional headers", () => {
  const meta = { etag: '"abc"', lastModified: "2026-11-28T12:00:00.500Z" } as ObjectMeta;
  const before = "Sat, 28 Nov 2026 11:00:00 GMT";
  const same = "Sat, 28 Nov 2026 12:00:00 GMT"; // HTTP dates drop the stored milliseconds
  const after = "Sat, 28 Nov 2026 13:00:00 GMT";

  it("matches ETags with or without quotes, in lists, and *", () => {
    for (const ifMatch of ['"abc"', "abc", '"x", "abc"', "*"])
      expect(evaluateConditions({ ifMatch }, meta)).toBeUndefined();
    expect(evaluateConditions({ ifMatch: '"x"' }, meta)).toBe("failed");
    expect(evaluateConditions({ ifNoneMatch: "abc" }, meta)).toBe("not-modified");
    expect(evaluateConditions({ ifNoneMatch: '"x"' }, meta)).toBeUndefined();
  });

  it("compares dates to the second, lets the ETag headers override them, and ignores dates that do not parse", () => {
    expect(evaluateConditions({ ifUnmodifiedSince: before }, meta)).toBe("failed");
    expect(evaluateConditions({ ifUnmodifiedSince: same }, meta)).toBeUndefined();
    expect(evaluateConditions({ ifModifiedSince: same }, meta)).toBe("not-modified");
    expect(evaluateConditions({ ifModifiedSince: before }, meta)).toBeUndefined();
    expect(evaluateConditions({ ifMatch: "abc", ifUnmodifiedSince: before }, meta)).toBeUndefined();
    expect(evaluateConditions({ ifNoneMatch: '"x"', ifModifiedSince: after }, meta)).toBeUndefined();
    expect(evaluateConditions({ ifModifiedSince: "yesterday", ifUnmodifiedSince: "soon" }, meta)).toBeUndefined();
  });
});

describe("routing", () => {
  it("maps methods, paths and sub-resources to operations", () => {
    const q = (s: string) => new Map(new URLSearchParams(s));
    expect(resolveOperation("PUT", "b", "k", q("partNumber=1&uploadId=x"))).toBe("UploadPart");
    expect(resolveOperation("POST", "b", "k", q("uploads="))).toBe("CreateMultipartUpload");
    expect(resolveOperation("GET", "b", "", q("list-type=2"))).toBe("ListObjectsV2");
    expect(resolveOperation("GET", "b", "", q("versions="))).toBe("ListObjectVersions");
    expect(resolveOperation("DELETE", "b", "k", q("uploadId=x"))).toBe("AbortMultipartUpload");
    expect(resolveOperation("PATCH", "b", "k", q(""))).toBeUndefined();
    expect(resolveOperation("PUT", "b", "k", q(""), true)).toBe("CopyObject");
    expect(resolveOperation("PUT", "b", "k", q("partNumber=2&uploadId=x"), true)).toBe("UploadPartCopy");
  });

  it("routes other subresource APIs away from the plain object and bucket calls", () => {
    const q = (s: string) => new Map(new URLSearchParams(s));
    expect(resolveOperation("GET", "b", "k", q("acl="))).toBe("GetObjectAcl");
    expect(resolveOperation("GET", "b", "", q("acl="))).toBe("GetBucketAcl");
    expect(resolveOperation("GET", "b", "k", q("tagging="))).toBe("GetObjectTagging");
    expect(resolveOperation("GET", "b", "", q("policy="))).toBe("GetBucketPolicy");
    expect(resolveOperation("GET", "b", "k", q("policy="))).toBe("Unsupported");
    expect(resolveOperation("DELETE", "b", "k", q("tagging="))).toBe("Unsupported");
    expect(resolveOperation("PUT", "b", "k", q("acl="))).toBe("Unsupported");
    expect(resolveOperation("DELETE", "b", "", q("lifecycle="))).toBe("Unsupported");
    expect(resolveOperation("GET", "b", "k", q("attributes="))).toBe("Unsupported");
    expect(resolveOperation("POST", "b", "k", q("restore="))).toBe("Unsupported");
    // Ordinary parameters are not subresources.
    expect(resolveOperation("GET", "b", "k", q("partNumber=2&response-content-type=x"))).toBe("GetObject");
  });
});

describe("fault decisions", () => {
  it("repeat for the same seed and differ for another", () => {
    const draw = (seed: number) => {
      const injector = new FaultInjector([{ op: "UploadPart", fault: "reset", probability: 0.3 }], seed);
      const target = { op: "UploadPart" as const, bucket: "b", key: "k", freshConnection: false };
      return Array.from({ length: 50 }, () => (injector.pick(target) ? 1 : 0)).join("");
    };
    expect(draw(9)).toBe(draw(9));
    expect(draw(9)).not.toBe(draw(10));
    const hits = [...draw(9)].filter((c) => c === "1").length;
    expect(hits).toBeGreaterThan(5);
    expect(hits).toBeLessThan(30);
  });

  it("stops after `times` injections and ignores other operations", () => {
    const injector = new FaultInjector([{ op: "PutObject", fault: "status", times: 2 }]);
    const target = (op: "GetObject" | "PutObject") => ({ op, bucket: "b", key: "k", freshConnection: false });
    expect(injector.pick(target("GetObject"))).toBeUndefined();
    expect([1, 2, 3].map(() => Boolean(injector.pick(target("PutObject"))))).toEqual([true, true, false]);
  });
});

describe("fault configuration", () => {
  const problem = (input: unknown) => {
    try {
      parseFaultConfig(input);
    } catch (error) {
      if (error instanceof FaultConfigError) return error.message;
      throw error;
    }
    throw new Error("expected the configuration to be refused");
  };

  it("takes { seed, rules } or the rules alone, with each kind's defaults", () => {
    const rule = { op: "UploadPart", fault: "reset" };
    expect(parseFaultConfig({ seed: 4, rules: [rule] })).toEqual({
      seed: 4,
      rules: [{ ...rule, probability: 1, connection: "any", after: "body", afterBytes: 0 }],
    });
    expect(parseFaultConfig([rule]).rules).toHaveLength(1);
  });

  it("names the field that is wrong in one line", () => {
    const rule = { op: "UploadPart", fault: "reset" };
    expect(problem({ rules: [{ ...rule, probability: 2 }] })).toBe("rules[0].probability: must be between 0 and 1");
    expect(problem([rule, { ...rule, fault: "explode" }])).toBe(
      "rules[1].fault: must be one of reset, status, delay, throttle, stall, expire",
    );
    expect(problem([{ op: "UploadPart" }])).toMatch(/^rules\[0\]\.fault: is required \(one of reset, /);
    expect(problem([{ ...rule, op: "UploadParts" }])).toBe(
      'rules[0].op: must be an S3 operation name such as "UploadPart", or "*"',
    );
    expect(problem([{ ...rule, ms: 5 }])).toBe('rules[0]: unknown field "ms" for a reset fault');
    expect(problem([{ ...rule, after: "trailer" }])).toBe('rules[0].after: must be "body" or "headers"');
    expect(problem([{ ...rule, times: 0 }])).toBe("rules[0].times: must be more than 0");
    expect(problem({ seed: 1.5, rules: [] })).toBe("seed: must be a whole number");
    expect(problem({ rules: "all" })).toBe("rules: must be a list");
    expect(problem({})).toBe("rules: is required");
    expect(() => parseFaultConfigJson("{ rules: [")).toThrow(/^faults: not JSON \(/);
  });

  it("keeps many problems on one line", () => {
    const message = problem(Array.from({ length: 6 }, () => ({ op: "x", fault: "status", status: 200 })));
    expect(message).not.toContain("\n");
    expect(message).toMatch(/; and \d+ more$/);
  });
});

describe("fault rules for fresh connections", () => {
  const target = (freshConnection: boolean) => ({ op: "UploadPart" as const, bucket: "b", key: "k", freshConnection });

  it("fire only on a request that is first on its connection, and want fresh connections until used up", () => {
    const injector = new FaultInjector([{ op: "UploadPart", fault: "reset", connection: "fresh", times: 1 }]);
    expect(injector.wantsFreshConnections()).toBe(true);
    expect(injector.pick(target(false))).toBeUndefined();
    expect(injector.pick(target(true))).toMatchObject({ index: 0, rule: { fault: "reset" } });
    expect(injector.wantsFreshConnections()).toBe(false);
    expect(new FaultInjector([{ op: "*", fault: "stall" }]).wantsFreshConnections()).toBe(false);
  });
});

describe("header text beyond ASCII", () => {
  it("reads header bytes as UTF-8 only when they are valid UTF-8 and not plain ASCII", () => {
    const wire = (text: string, encoding: BufferEncoding) => Buffer.from(text, encoding).toString("latin1");
    expect(asUtf8(wire("Zürich €", "utf8"))).toBe("Zürich €");
    expect(asUtf8(wire("Zürich", "latin1"))).toBeUndefined();
    expect(asUtf8("plain")).toBeUndefined();
  });

  it("decodes RFC 2047 encoded words (B and Q, adjacent words joined) and leaves unknown charsets", () => {
    expect(decodeEncodedWords("=?UTF-8?Q?Z=C3=BCrich_city?=")).toBe("Zürich city");
    expect(decodeEncodedWords("=?utf-8?b?5p2x?= =?UTF-8?B?5Lqs?= and more")).toBe("東京 and more");
    expect(decodeEncodedWords("=?ISO-8859-1?Q?caf=E9?=")).toBe("café");
    expect(decodeEncodedWords("=?KOI8-R?B?8tXT?=")).toBe("=?KOI8-R?B?8tXT?=");
    expect(decodeEncodedWords("a=?b")).toBe("a=?b");
  });

  it("returns text beyond ASCII as one UTF-8 encoded word, and ASCII as it is", () => {
    expect(mailSafe("plain text")).toBe("plain text");
    expect(mailSafe("東京")).toBe(`=?UTF-8?B?${Buffer.from("東京").toString("base64")}?=`);
    expect(decodeEncodedWords(mailSafe("Grüße €"))).toBe("Grüße €");
  });
});
