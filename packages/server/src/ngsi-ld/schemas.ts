import { Type } from 'typebox';

/** Tags every NGSI-LD route carries in the OpenAPI document. */
export const tags = ['NGSI-LD'];

/** An entity in normalized or keyValues form: id, type and any attributes. */
export const EntityBody = Type.Object(
  {
    id: Type.Optional(
      Type.String({ description: 'The entity id, a URI (urn:ngsi-ld:<Type>:<local id>)' }),
    ),
    type: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], {
        description: 'The entity type(s), terms of the @context',
      }),
    ),
  },
  { additionalProperties: true, description: 'An NGSI-LD entity' },
);

/**
 * The POST /entities body, documented only: it carries no validation keywords, so that
 * the handler's parseEntity gives the precise 400 message instead of a generic one.
 */
export const EntityRequestBody = {
  description:
    'An NGSI-LD entity in normalized or concise form: {id, type, <attr>: {type: Property|GeoProperty|Relationship|…, value|object|…}}; names are terms of the @context (Link header, or body @context with application/ld+json)',
  examples: [
    {
      id: 'urn:ngsi-ld:AirQualityObserved:aq-0001',
      type: 'AirQualityObserved',
      no2: { type: 'Property', value: 41, unitCode: 'GQ' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.35, 48.85] } },
    },
  ],
};

/** The PATCH/POST .../attrs body, documented only (validated by parseAttributes). */
export const AttributesRequestBody = {
  description: 'Attributes in normalized form, keyed by name',
  examples: [{ no2: { type: 'Property', value: 44, unitCode: 'GQ' } }],
};

/** An answer documented only (entities, or a GeoJSON FeatureCollection): not re-serialized. */
export const EntitiesOrFeatures = {
  description: 'A JSON array of entities, or a GeoJSON FeatureCollection with application/geo+json',
};

/** RFC 9457 ProblemDetails with the ETSI NGSI-LD error type. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'e.g. https://uri.etsi.org/ngsi-ld/errors/BadRequestData' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
  },
  { additionalProperties: true, description: 'ProblemDetails (RFC 9457)' },
);

/** The `{id}` path parameter of entity routes. */
export const EntityIdParams = Type.Object({
  id: Type.String({ description: 'Entity id (a URI)' }),
});

/** Responses every route may give besides its success. */
export const problemResponses = { '4xx': Problem, '5xx': Problem };

/** `attrs`, `pick`, `omit`, `options`, `format`, `lang` as in GS CIM 009 clause 6.3. */
export const RepresentationQuery = {
  attrs: Type.Optional(
    Type.String({ description: 'Comma-separated attribute names to return (id and type stay)' }),
  ),
  pick: Type.Optional(Type.String({ description: 'Comma-separated members to keep (4.21)' })),
  omit: Type.Optional(Type.String({ description: 'Comma-separated members to leave out (4.21)' })),
  options: Type.Optional(
    Type.String({
      description:
        'keyValues (or simplified), concise, normalized; sysAttrs adds createdAt/modifiedAt',
    }),
  ),
  format: Type.Optional(
    Type.String({ description: 'normalized, concise, keyValues or simplified; wins over options' }),
  ),
  lang: Type.Optional(Type.String({ description: 'Language of LanguageProperties, * for all' })),
  geometryProperty: Type.Optional(
    Type.String({ description: 'GeoProperty shown as geometry with application/geo+json' }),
  ),
};

/** The `{id}` and `{attrId}` path parameters of attribute routes. */
export const AttributeIdParams = Type.Object({
  id: Type.String({ description: 'Entity id (a URI)' }),
  attrId: Type.String({ description: 'Attribute name (a term of the @context, or an IRI)' }),
});

/** UpdateResult (clause 5.2.18): which attributes were written and which not, why. */
export const UpdateResult = Type.Object(
  {
    updated: Type.Array(Type.String()),
    notUpdated: Type.Array(Type.Object({ attributeName: Type.String(), reason: Type.String() })),
  },
  { description: 'Some attributes were not written' },
);

/** BatchOperationResult (clause 5.2.16): ids written, and per entity why not. */
export const BatchOperationResult = Type.Object(
  {
    success: Type.Array(Type.String()),
    errors: Type.Array(
      Type.Object({
        entityId: Type.String(),
        error: Type.Object({}, { additionalProperties: true }),
      }),
    ),
  },
  { description: 'Some entities failed' },
);

/** A batch body, documented only: an array checked entity by entity in the handler. */
export const BatchRequestBody = {
  description: 'A JSON array of entities (of entity ids for delete)',
};

/** Media types the request bodies may use. */
export const consumes = ['application/json', 'application/ld+json'];

/** Media types the responses may use (negotiated with Accept). */
export const produces = ['application/json', 'application/ld+json'];
