/** The client's types (openapi.d.ts) for an OpenAPI document. */
export declare function openApiTypes(document: object): Promise<string>;
