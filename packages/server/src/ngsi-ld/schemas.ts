import { Type } from 'typebox';

/** Tags every NGSI-LD route carries in the OpenAPI document. */
export const tags = ['NGSI-LD'];

/** An entity in normalized or keyValues form: id, type and any attributes. */
export const EntityBody = Type.Object(
  {
    id: Type.String({ description: 'The entity id, a URI (urn:ngsi-ld:<Type>:<local id>)' }),
    type: Type.String({ description: 'The entity type (short name)' }),
  },
  { additionalProperties: true, description: 'An NGSI-LD entity' },
);

/**
 * The POST /entities body, documented only: it carries no validation keywords, so that
 * the handler's parseEntity gives the precise 400 message instead of a generic one.
 */
export const EntityRequestBody = {
  description:
    'An NGSI-LD entity in normalized form: {id, type, <attr>: {type: Property|GeoProperty|Relationship, value|object, ...}}; a body @context is accepted and ignored',
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

/** `attrs`, `options` and `format` as in GS CIM 009 clause 6.3. */
export const RepresentationQuery = {
  attrs: Type.Optional(
    Type.String({ description: 'Comma-separated attribute names to return (id and type stay)' }),
  ),
  options: Type.Optional(
    Type.String({ description: 'keyValues (or simplified) for the simplified representation' }),
  ),
  format: Type.Optional(
    Type.String({ description: 'normalized, keyValues or simplified; wins over options' }),
  ),
};

/** Media types the request bodies may use. */
export const consumes = ['application/json', 'application/ld+json'];

/** Media types the responses may use (negotiated with Accept). */
export const produces = ['application/json', 'application/ld+json'];
