/**
 * The NGSI-LD core @context (ETSI GS CIM 009 v1.9), carried by citybrain itself: the broker
 * never fetches it. Terms are listed by how they are defined; each entry is `term` (IRI
 * `ngsi-ld:term`), `term=local` (IRI `ngsi-ld:local`), `term=geojson:` (IRI `geojson:term`) or
 * `term=<absolute IRI>`.
 */

/** The namespace of NGSI-LD core terms. */
export const NGSI_LD_NS = 'https://uri.etsi.org/ngsi-ld/';
/** The GeoJSON-LD namespace. */
export const GEOJSON_NS = 'https://purl.org/geojson/vocab#';
/** The default vocabulary: terms no context defines expand under it. */
export const DEFAULT_VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';
/** The URL citybrain names the core context by (v1.9). */
export const CORE_CONTEXT_URL = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld';

/** Every URL clients use for the core context: all resolve to the built-in one. */
export const CORE_CONTEXT_URLS: ReadonlySet<string> = new Set([
  'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
  ...['1.0', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8', '1.9'].map(
    (v) => `https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v${v}.jsonld`,
  ),
]);

/** True when `url` names the NGSI-LD core context. */
export function isCoreContextUrl(url: string): boolean {
  return CORE_CONTEXT_URLS.has(url);
}

const PLAIN = `Attribute AttributeList ContextSourceIdentity ContextSourceNotification
  ContextSourceRegistration Date DateTime EntityMap EntityType EntityTypeInfo EntityTypeList
  ExecutionResultDetails Feature=geojson: FeatureCollection=geojson: GeoProperty
  GeometryCollection=geojson: JsonProperty LanguageProperty LineString=geojson: ListProperty
  ListRelationship MultiLineString=geojson: MultiPoint=geojson: MultiPolygon=geojson:
  Notification Point=geojson: Polygon=geojson: Property Relationship Snapshot
  SnapshotNotification Subscription TemporalProperty Time VocabProperty accept aggrParams
  aggrMethods aggrPeriodDuration attributeCount attributeDetails attrs cacheDuration collation
  containedBy=isContainedBy contextSourceAlias contextSourceInfo contextSourceUptime cooldown csf
  data description=http://purl.org/dc/terms/description detail endpoint entities entity
  entityCount entityMapLifetime=hasEntityMapLifetime error errors expandValues format geoQ
  geometry=geojson: geoproperty georel idPattern information isActive join
  joinLevel=hasJoinLevel jsonKeys jsonldContext key=hasKey lang
  langString=http://www.w3.org/1999/02/22-rdf-syntax-ns#langString lastN linkedMaps localOnly
  location management managementInterval mode ngsildConformance ngsildproof notification
  notificationTrigger notifierInfo notUpdated observationInterval observationSpace omit
  operations operationSpace ordering pick previousValue=hasPreviousValue properties=geojson: q
  reason receiverInfo refreshRate registrationId registrationName resultStatus scope scopeQ
  showChanges snapshotId snapshotLifetime snapshotPriority snapshotStatus
  splitEntities=hasSplitEntities status subscriptionName sysAttrs temporalQ throttling
  timeInterval timeout timeproperty timerel timesFailed timesSent
  title=http://purl.org/dc/terms/title triggerReason unchanged unitCode updated uri
  value=hasValue`;

/** Terms whose values are vocabulary terms (`"@type": "@vocab"`). */
const VOCAB_TYPED = `attributeList attributeName attributeNames attributeTypes attributes
  objectType=hasObjectType previousVocab=hasPreviousVocab propertyNames relationshipNames
  typeList typeName typeNames valueType=hasValueType vocab=hasVocab watchedAttributes`;

/** Terms whose values are ordered lists (`"@container": "@list"`). */
const LISTS = `avg bbox=geojson: coordinates=geojson: distinctCount entityList jsons
  languageMaps=hasLanguageMaps max min objectList=hasObjectList objectLists=hasObjectLists
  objects=hasObjects orderBy previousObjectList=hasPreviousObjectList
  previousValueList=hasPreviousValueList snapshotQueries snapshotQueriesDetails
  snapshotTemporalQueries snapshotTemporalQueriesDetails stddev sum sumsq totalCount
  valueList=hasValueList valueLists=hasValueLists values=hasValues vocabs=hasVocabs`;

/** Terms whose values are JSON literals (`"@type": "@json"`). */
const JSON_TYPED = `contextSourceExtras json=hasJSON previousJson=hasPreviousJson problemDetails`;

/** Terms whose values are date-times (`"@type": "DateTime"`). */
const DATE_TIMES = `contextSourceTimeAt createdAt deletedAt endAt endTimeAt expiresAt
  lastFailure lastNotification lastSuccess lastUsedAt modifiedAt notifiedAt observedAt startAt
  timeAt`;

/** Terms whose values are IRIs (`"@type": "@id"`). */
const ID_TYPED = `datasetId entityId instanceId object=hasObject previousObject=hasPreviousObject
  subscriptionId success tenant`;

const INDEXED = `dataset=hasDataset entityMap=hasEntityMap`;
const SETS = `features=geojson:`;
const LANGUAGE_MAPS = `languageMap=hasLanguageMap previousLanguageMap=hasPreviousLanguageMap`;

/** A term definition of the core context. */
type CoreTermDefinition = string | Record<string, string>;

function termIri(term: string, local: string | undefined): string {
  if (local === undefined) return `ngsi-ld:${term}`;
  if (local === 'geojson:') return `geojson:${term}`;
  if (local.includes(':')) return local;
  return `ngsi-ld:${local}`;
}

function addTerms(
  into: Record<string, CoreTermDefinition>,
  list: string,
  extra?: Record<string, string>,
): void {
  for (const entry of list.split(/\s+/).filter(Boolean)) {
    const [term = '', local] = entry.split(/=(.*)/s);
    const iri = termIri(term, local);
    into[term] = extra ? { '@id': iri, ...extra } : iri;
  }
}

function buildCoreTerms(): Record<string, CoreTermDefinition> {
  const terms: Record<string, CoreTermDefinition> = {};
  addTerms(terms, PLAIN);
  addTerms(terms, VOCAB_TYPED, { '@type': '@vocab' });
  addTerms(terms, LISTS, { '@container': '@list' });
  addTerms(terms, JSON_TYPED, { '@type': '@json' });
  addTerms(terms, DATE_TIMES, { '@type': 'DateTime' });
  addTerms(terms, ID_TYPED, { '@type': '@id' });
  addTerms(terms, INDEXED, { '@container': '@index' });
  addTerms(terms, SETS, { '@container': '@set' });
  addTerms(terms, LANGUAGE_MAPS, { '@container': '@language' });
  return terms;
}

/**
 * The core context as a JSON-LD context object. `ngsildproof` is kept as a plain term: its
 * scoped context names a remote security vocabulary the broker never needs to load.
 */
export const CORE_CONTEXT: Readonly<Record<string, unknown>> = Object.freeze({
  '@version': 1.1,
  '@protected': true,
  'ngsi-ld': NGSI_LD_NS,
  geojson: GEOJSON_NS,
  id: '@id',
  type: '@type',
  ...buildCoreTerms(),
  '@vocab': DEFAULT_VOCAB,
});

/** The core context as a document, as served at /jsonldContexts. */
export function coreContextDocument(): { '@context': Record<string, unknown> } {
  return { '@context': { ...CORE_CONTEXT } };
}
