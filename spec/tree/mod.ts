/**
 * The composefs tree model.
 *
 * @module
 */
export * from "./node.ts";
export * from "./errors.ts";
