// graphql-codegen over statusdata's schema.graphql and the example operations: what a frontend
// (Apollo Client, graphql-request) or a BI script generates. Two outputs on purpose: since
// @graphql-codegen/typescript-operations 5 the operations plugin emits the enums and input
// types its operations use, so `typescript` + `typescript-operations` in ONE file declares them
// twice ("Duplicate identifier 'InternalTeacherOrderBy'"). The schema's types go to schema.ts,
// the operations import them from there.
import type { CodegenConfig } from "@graphql-codegen/cli";

// The API's own scalars travel as JSON strings: "2023-09-01", "2023-09", "12.50" (exact decimals).
const scalars = {
  ID: "string",
  Date: "string",
  YearMonth: "string",
  Decimal: "string",
};

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: "operations/*.graphql",
  generates: {
    "generated/schema.ts": {
      plugins: ["typescript"],
      config: { scalars, enumsAsTypes: true },
    },
    "generated/operations.ts": {
      plugins: ["typescript-operations"],
      config: {
        scalars,
        enumType: "string-literal",
        importSchemaTypesFrom: "./generated/schema.ts",
        namespacedImportName: "Types",
        extractAllFieldsToTypesCompact: true,
      },
    },
  },
};

export default config;
