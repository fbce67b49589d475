/** The part size the e2e suite's app runs with (S3's smallest), for tests that count parts. */
export const E2E_PART_MIB = 5;
